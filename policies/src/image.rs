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
    /// Parses `image`. Never fails: odd input gives odd parts.
    pub fn parse(image: &'a str) -> ImageRef<'a> {
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
        // `docker.io/nginx` is `docker.io/library/nginx`, as for the short name.
        let repository = if registry == "docker.io" && !repository.contains('/') {
            format!("library/{repository}")
        } else {
            repository
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
