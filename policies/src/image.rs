//! Container image references: registry, repository, tag and digest, with
//! Docker Hub short names normalised to `docker.io`.

/// A parsed image reference.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageRef<'a> {
    /// Registry host (with port), `docker.io` for Docker Hub short names.
    pub registry: String,
    /// Repository path without the registry (`library/nginx` for `nginx`).
    pub repository: String,
    /// The tag, if any (`1.25` in `nginx:1.25`).
    pub tag: Option<&'a str>,
    /// The digest, if any (`sha256:…`).
    pub digest: Option<&'a str>,
}

impl<'a> ImageRef<'a> {
    /// Parses `image`. Never fails: a reference the kubelet refuses (see
    /// [`check`]) gives parts split as well as they can be.
    pub fn parse(image: &'a str) -> ImageRef<'a> {
        if let Ok(r) = Reference::of(image) {
            // Docker Hub's registry host is Docker Hub too.
            let (registry, prefix) = match r.domain.to_ascii_lowercase() {
                d if d == "registry-1.docker.io" => {
                    let library = if r.path.contains('/') { "" } else { "library/" };
                    ("docker.io".to_string(), library)
                }
                d => (d, r.path_prefix),
            };
            return ImageRef {
                registry,
                repository: format!("{prefix}{}", r.path),
                tag: r.tag,
                digest: r.digest,
            };
        }
        let Pin { name, tag, digest } = Pin::parse(image);
        let (registry, repository) = match name.split_once('/') {
            Some((first, path))
                if first.contains('.') || first.contains(':') || first == "localhost" =>
            {
                (first.to_ascii_lowercase(), path.to_string())
            }
            Some(_) => ("docker.io".to_string(), name.to_string()),
            None => ("docker.io".to_string(), format!("library/{name}")),
        };
        let registry = if registry == "index.docker.io" || registry == "registry-1.docker.io" {
            "docker.io".to_string()
        } else {
            registry
        };
        ImageRef {
            registry,
            repository,
            tag,
            digest,
        }
    }

    /// True when pinned by digest.
    pub fn is_digest_pinned(&self) -> bool {
        self.digest.is_some_and(|d| d.contains(':'))
    }
}

/// How an image is pinned: its name, tag and digest, without the
/// normalised registry and repository of [`ImageRef`] (so without
/// allocating). The rules about tags and digests need only this.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pin<'a> {
    /// Everything before the tag and digest (`quay.io/org/app`).
    pub name: &'a str,
    /// The tag, if any (`1.25` in `nginx:1.25`).
    pub tag: Option<&'a str>,
    /// The digest, if any (`sha256:…`).
    pub digest: Option<&'a str>,
}

impl<'a> Pin<'a> {
    /// Splits `image` into name, tag and digest. Never fails.
    pub fn parse(image: &'a str) -> Pin<'a> {
        let (rest, digest) = match image.split_once('@') {
            Some((r, d)) => (r, Some(d)),
            None => (image, None),
        };
        // A tag is after the last ':' that comes after the last '/'.
        let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
        let (name, tag) = match rest[last_slash..].rfind(':') {
            Some(i) => (&rest[..last_slash + i], Some(&rest[last_slash + i + 1..])),
            None => (rest, None),
        };
        Pin { name, tag, digest }
    }

    /// True when pinned by digest.
    pub fn is_digest_pinned(&self) -> bool {
        self.digest.is_some_and(|d| d.contains(':'))
    }
}

/// Why the kubelet cannot pull an image: its reference does not parse as
/// the reference grammar of the container registries (distribution's
/// `ParseNormalizedNamed`, which the kubelet applies before every pull, and
/// fails as `InvalidImageName`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ImageError {
    /// 64 hexadecimal characters: an image ID.
    #[error("64 hexadecimal characters are an image ID, not a repository name")]
    ImageId,
    /// The repository (after the registry) has an upper-case letter.
    #[error("the repository name must be lowercase")]
    Uppercase,
    /// The repository, without the registry, is over 255 characters.
    #[error("the repository name is longer than 255 characters")]
    NameTooLong,
    /// The tag is empty, too long or holds a character tags cannot.
    #[error(
        "a tag is 1 to 128 letters, digits, `_`, `.` and `-`, and does not start with `.` or `-`"
    )]
    Tag,
    /// The digest is not a sha256, sha384 or sha512 digest.
    #[error("a digest is `sha256:` and 64 lowercase hexadecimal digits (or sha384, sha512)")]
    Digest,
    /// Anything else: a blank, a doubled `/`, a `:` in the path, a
    /// separator at either end of a path component.
    #[error("it is not [registry[:port]/]path[:tag][@digest], whose path components are lowercase letters and digits joined by `.`, `_`, `__` or dashes")]
    Format,
}

/// Whether the kubelet can pull `image`: its tag and digest, or why not.
pub fn check(image: &str) -> Result<Pin<'_>, ImageError> {
    Reference::of(image).map(|r| Pin {
        name: &image[..image.len() - suffix_len(r.tag, r.digest)],
        tag: r.tag,
        digest: r.digest,
    })
}

/// How long `:tag@digest` is at the end of an image.
fn suffix_len(tag: Option<&str>, digest: Option<&str>) -> usize {
    tag.map_or(0, |t| t.len() + 1) + digest.map_or(0, |d| d.len() + 1)
}

/// A reference split as the reference grammar splits it, with Docker Hub's
/// short names completed (`nginx` is `docker.io` and `library/nginx`).
#[derive(Debug)]
struct Reference<'a> {
    /// The registry host and port as written (`docker.io` for Docker Hub);
    /// empty when the first component is no host (`a_b.c/app`).
    domain: &'a str,
    /// `library/` for a one-component Docker Hub name, else empty.
    path_prefix: &'static str,
    /// The repository path after the registry (and the prefix).
    path: &'a str,
    tag: Option<&'a str>,
    digest: Option<&'a str>,
}

/// Names of at most this many characters (the path, without the registry).
const NAME_MAX: usize = 255;

impl<'a> Reference<'a> {
    fn of(image: &'a str) -> Result<Reference<'a>, ImageError> {
        let b = image.as_bytes();
        if b.len() == 64 && b.iter().all(|&c| matches!(c, b'0'..=b'9' | b'a'..=b'f')) {
            return Err(ImageError::ImageId);
        }
        // Docker Hub's short names: the first component is a registry only
        // when it is `localhost`, holds a `.` or `:`, or has an upper-case
        // letter (repository names cannot).
        let library = |rest: &str| if rest.contains('/') { "" } else { "library/" };
        let (domain, path_prefix, rest) = match position(b, b'/') {
            None => ("docker.io", "library/", image),
            Some(i) => {
                let (first, rest) = (&image[..i], &image[i + 1..]);
                if first == "index.docker.io" || first == "docker.io" {
                    ("docker.io", library(rest), rest)
                } else if first == "localhost"
                    || first.bytes().any(|c| c == b'.' || c == b':')
                    || has_uppercase(first)
                {
                    (first, "", rest)
                } else {
                    ("docker.io", "", image)
                }
            }
        };
        let parts =
            Reference::split(image, domain, rest).map(|(domain, path, tag, digest)| Reference {
                domain,
                path_prefix,
                path,
                tag,
                digest,
            });
        match parts {
            Ok(r) if path_prefix.len() + r.path.len() > NAME_MAX => Err(ImageError::NameTooLong),
            Ok(r) => Ok(r),
            Err(e) => {
                // An upper-case repository name is refused before anything
                // else (the repository is what comes before a first `:`).
                let remote = &rest[..position(rest.as_bytes(), b':').unwrap_or(rest.len())];
                Err(if has_uppercase(remote) {
                    ImageError::Uppercase
                } else {
                    e
                })
            }
        }
    }

    /// Registry, path, tag and digest of `image`, whose registry candidate
    /// is `domain` and whose text after it is `rest`.
    #[allow(clippy::type_complexity)]
    fn split(
        image: &'a str,
        domain: &'a str,
        rest: &'a str,
    ) -> Result<(&'a str, &'a str, Option<&'a str>, Option<&'a str>), ImageError> {
        // One pass to the digest's `@`, noting the last `/` before it.
        let (mut at, mut last_slash) = (None, 0);
        for (i, c) in rest.bytes().enumerate() {
            match c {
                b'@' => {
                    at = Some(i);
                    break;
                }
                b'/' => last_slash = i + 1,
                _ => {}
            }
        }
        let (named, digest) = match at {
            Some(i) => (&rest[..i], Some(&rest[i + 1..])),
            None => (rest, None),
        };
        let (name, tag) = match position(&named.as_bytes()[last_slash..], b':') {
            Some(i) => (&named[..last_slash + i], Some(&named[last_slash + i + 1..])),
            None => (named, None),
        };
        if tag.is_some_and(|t| !is_tag(t)) {
            return Err(ImageError::Tag);
        }
        if digest.is_some_and(|d| !is_digest(d)) {
            return Err(ImageError::Digest);
        }
        let (domain, path) = if is_domain(domain.as_bytes()) {
            (domain, name)
        } else if is_path(domain.as_bytes()) {
            // The first component was taken for a registry but is no host
            // name (`a_b.c/app`): the grammar reads it all as a path.
            ("", &image[..domain.len() + 1 + name.len()])
        } else {
            return Err(ImageError::Format);
        };
        if !is_path(path.as_bytes()) {
            return Err(ImageError::Format);
        }
        Ok((domain, path, tag, digest))
    }
}

/// Where `c` first is in `b`.
fn position(b: &[u8], c: u8) -> Option<usize> {
    b.iter().position(|&x| x == c)
}

/// Whether `c` is not its own lower case (Go's `strings.ToLower`).
fn changes_in_lowercase(c: char) -> bool {
    !c.to_lowercase().eq(std::iter::once(c))
}

/// Whether some character of `s` is not its own lower case.
fn has_uppercase(s: &str) -> bool {
    if s.is_ascii() {
        s.bytes().any(|c| c.is_ascii_uppercase())
    } else {
        s.chars().any(changes_in_lowercase)
    }
}

/// What a byte is to the path grammar.
const OTHER: u8 = 0;
const ALNUM: u8 = 1;
const DOT: u8 = 2;
const UNDERSCORE: u8 = 3;
const DASH: u8 = 4;
const SLASH: u8 = 5;
const PATH_CLASS: [u8; 256] = {
    let mut t = [OTHER; 256];
    let mut c = 0;
    while c < 256 {
        let b = c as u8;
        t[c] = match b {
            b'a'..=b'z' | b'0'..=b'9' => ALNUM,
            b'.' => DOT,
            b'_' => UNDERSCORE,
            b'-' => DASH,
            b'/' => SLASH,
            _ => OTHER,
        };
        c += 1;
    }
    t
};

/// `/`-separated path components, each `[a-z0-9]+` runs joined by `.`,
/// `_`, `__` or any number of `-`.
fn is_path(p: &[u8]) -> bool {
    // The class of the byte before, and how many `_` in a row.
    let (mut last, mut underscores) = (SLASH, 0);
    for &c in p {
        let class = PATH_CLASS[usize::from(c)];
        let ok = match class {
            ALNUM => true,
            // A separator follows a letter or digit, and only dashes repeat;
            // `__` is one separator.
            DOT | SLASH => last == ALNUM,
            DASH => last == ALNUM || last == DASH,
            UNDERSCORE => last == ALNUM || (last == UNDERSCORE && underscores == 1),
            _ => false,
        };
        if !ok {
            return false;
        }
        underscores = if class == UNDERSCORE {
            underscores + 1
        } else {
            0
        };
        last = class;
    }
    last == ALNUM
}

/// A registry: a host name (`.`-separated labels of letters, digits and
/// inner dashes) or a bracketed IPv6 address, then an optional `:port`.
fn is_domain(s: &[u8]) -> bool {
    let (host, port) = if s.first() == Some(&b'[') {
        let Some(close) = position(s, b']') else {
            return false;
        };
        let address = &s[1..close];
        let ok = !address.is_empty() && address.iter().all(|&c| c.is_ascii_hexdigit() || c == b':');
        (ok, &s[close + 1..])
    } else {
        let end = position(s, b':').unwrap_or(s.len());
        let label = |l: &[u8]| {
            l.first().is_some_and(u8::is_ascii_alphanumeric)
                && l.last().is_some_and(u8::is_ascii_alphanumeric)
                && l.iter().all(|&c| c.is_ascii_alphanumeric() || c == b'-')
        };
        (s[..end].split(|&c| c == b'.').all(label), &s[end..])
    };
    host && match port {
        [] => true,
        [b':', digits @ ..] => !digits.is_empty() && digits.iter().all(u8::is_ascii_digit),
        _ => false,
    }
}

/// `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`.
fn is_tag(t: &str) -> bool {
    let b = t.as_bytes();
    let word = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    (1..=128).contains(&b.len())
        && word(b[0])
        && b.iter().all(|&c| word(c) || c == b'.' || c == b'-')
}

/// A digest the registries accept: `sha256:` and 64 lowercase hexadecimal
/// digits, or sha384 (96) or sha512 (128).
fn is_digest(d: &str) -> bool {
    let Some((algorithm, hex)) = d.split_once(':') else {
        return false;
    };
    let len = match algorithm {
        "sha256" => 64,
        "sha384" => 96,
        "sha512" => 128,
        _ => return false,
    };
    hex.len() == len && hex.bytes().all(|c| matches!(c, b'0'..=b'9' | b'a'..=b'f'))
}

/// Whether `image` comes from `allowed`, an entry of `allowedRegistries`:
/// a registry host (`quay.io`, `registry.example.com:5000`) or a registry
/// with a path prefix (`ghcr.io/my-org`). Matching is on host and path
/// boundaries, so `quay.io.evil.com/x` is not `quay.io`, and `ghcr.io/my-org`
/// does not allow `ghcr.io/my-organisation`.
pub fn registry_allowed(image: &ImageRef<'_>, allowed: &str) -> bool {
    let allowed = allowed.trim().trim_end_matches('/');
    let (host, prefix) = match allowed.split_once('/') {
        Some((h, p)) => (h, Some(p)),
        None => (allowed, None),
    };
    let host = match host.to_ascii_lowercase().as_str() {
        "index.docker.io" | "registry-1.docker.io" | "docker.io" => "docker.io".to_string(),
        h => h.to_string(),
    };
    if image.registry != host {
        return false;
    }
    match prefix {
        None => true,
        Some(p) => image.repository == p || image.repository.starts_with(&format!("{p}/")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_references() {
        let r = ImageRef::parse("nginx");
        assert_eq!(
            (r.registry.as_str(), r.repository.as_str(), r.tag),
            ("docker.io", "library/nginx", None)
        );
        let r = ImageRef::parse("host:5000/app");
        assert_eq!((r.registry.as_str(), r.tag), ("host:5000", None));
        let r = ImageRef::parse("host:5000/app:1.2");
        assert_eq!(r.tag, Some("1.2"));
        let r = ImageRef::parse("quay.io/org/app@sha256:abcd");
        assert!(r.is_digest_pinned());
        assert_eq!(r.tag, None);
        let r = ImageRef::parse("docker.io/nginx:1");
        assert_eq!(
            (r.registry.as_str(), r.repository.as_str()),
            ("docker.io", "library/nginx")
        );
        let r = ImageRef::parse("bitnami/redis:7");
        assert_eq!(
            (r.registry.as_str(), r.repository.as_str()),
            ("docker.io", "bitnami/redis")
        );
    }

    #[test]
    fn references_the_kubelet_pulls() {
        let sha = format!("sha256:{}", "a".repeat(64));
        for ok in [
            "nginx".to_string(),
            "nginx:1.25".to_string(),
            "library/nginx:latest".to_string(),
            "localhost/app".to_string(),
            "localhost:5000/a/b/c:v1".to_string(),
            "[::1]:5000/app:1".to_string(),
            "[fe80::1]/app".to_string(),
            "MyRegistry/app:1".to_string(),
            "registry.example.com/team/app_x__y.z---w:1.0_RC-1".to_string(),
            "a_b.c/app".to_string(),
            "localhost:5000".to_string(),
            format!("quay.io/org/app@{sha}"),
            format!("quay.io/org/app:1@{sha}"),
            format!("app@sha512:{}", "0".repeat(128)),
            format!("x:{}", "t".repeat(128)),
            "a".repeat(255 - 8),
        ] {
            // Valid: the same tag and digest as the quick split.
            let pin = check(&ok).unwrap_or_else(|e| panic!("{ok}: {e}"));
            assert_eq!(pin, Pin::parse(&ok), "{ok}");
        }
        for (bad, why) in [
            ("Nginx:1", ImageError::Uppercase),
            ("team/App", ImageError::Uppercase),
            ("quay.io/Org/app", ImageError::Uppercase),
            ("nginx:", ImageError::Tag),
            ("nginx:.1", ImageError::Tag),
            ("nginx:1:2", ImageError::Tag),
            ("app@sha256:abc", ImageError::Digest),
            (
                "app@sha1:0123456789012345678901234567890123456789",
                ImageError::Digest,
            ),
            ("nginx ", ImageError::Format),
            (" nginx", ImageError::Format),
            ("a//b", ImageError::Format),
            ("a/b/", ImageError::Format),
            ("-a", ImageError::Format),
            ("a..b", ImageError::Format),
            ("a___b", ImageError::Format),
            ("a_-b", ImageError::Format),
            ("quay.io:x/app", ImageError::Format),
            ("quay.io/", ImageError::Format),
            ("a@b.c/x", ImageError::Format),
            ("", ImageError::Format),
        ] {
            assert_eq!(check(bad).map(|_| ()), Err(why), "{bad:?}");
        }
        let why = |image: &str| check(image).map(|_| ());
        assert_eq!(why(&"0".repeat(64)), Err(ImageError::ImageId));
        assert_eq!(why(&"a".repeat(256 - 8)), Err(ImageError::NameTooLong));
        assert_eq!(why(&format!("x:{}", "t".repeat(129))), Err(ImageError::Tag));
        assert_eq!(
            why(&format!("app@sha256:{}", "A".repeat(64))),
            Err(ImageError::Digest)
        );
    }

    #[test]
    fn registries_as_the_grammar_splits_them() {
        let split = |i: &str| {
            let r = ImageRef::parse(i);
            (r.registry, r.repository)
        };
        let pair = |a: &str, b: &str| (a.to_string(), b.to_string());
        assert_eq!(split("MyRegistry/app:1"), pair("myregistry", "app"));
        assert_eq!(
            split("index.docker.io/nginx"),
            pair("docker.io", "library/nginx")
        );
        assert_eq!(
            split("registry-1.docker.io/nginx"),
            pair("docker.io", "library/nginx")
        );
        assert_eq!(split("localhost/app"), pair("localhost", "app"));
        assert_eq!(split("[::1]:5000/app"), pair("[::1]:5000", "app"));
        // A first component taken for a registry that is no host name: the
        // grammar reads the whole name as a path, with no registry.
        assert_eq!(split("a_b.c/app"), pair("", "a_b.c/app"));
    }

    #[test]
    fn pins_agree_with_full_references() {
        for image in [
            "nginx",
            "nginx:1.25",
            "host:5000/app",
            "host:5000/app:1.2",
            "quay.io/org/app@sha256:abcd",
            "quay.io/org/app:1@sha256:abcd",
            "app@",
            "app:",
            ":",
            "",
        ] {
            let (pin, full) = (Pin::parse(image), ImageRef::parse(image));
            assert_eq!((pin.tag, pin.digest), (full.tag, full.digest), "{image}");
            assert_eq!(pin.is_digest_pinned(), full.is_digest_pinned(), "{image}");
        }
        let pin = Pin::parse("quay.io/org/app:1@sha256:abcd");
        assert_eq!(pin.name, "quay.io/org/app");
    }

    #[test]
    fn registry_boundaries() {
        assert!(registry_allowed(
            &ImageRef::parse("quay.io/x/y:1"),
            "quay.io"
        ));
        assert!(!registry_allowed(
            &ImageRef::parse("quay.io.evil.com/x:1"),
            "quay.io"
        ));
        assert!(registry_allowed(&ImageRef::parse("nginx:1"), "docker.io"));
        assert!(registry_allowed(
            &ImageRef::parse("ghcr.io/my-org/a:1"),
            "ghcr.io/my-org"
        ));
        assert!(!registry_allowed(
            &ImageRef::parse("ghcr.io/my-organisation/a:1"),
            "ghcr.io/my-org"
        ));
    }
}
