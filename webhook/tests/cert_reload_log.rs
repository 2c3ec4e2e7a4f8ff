//! The reload path's log line for an unusable new key: the certificate
//! crate's message (what the file is, what to do), with the previous
//! certificate still served. In a file of its own because it installs a
//! process-wide log subscriber (the reload runs on a thread of its own).

mod common;

use common::tls::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_encrypted_new_key_is_logged_clearly_and_the_old_certificate_kept() {
    let captured = common::Captured::default();
    tracing::subscriber::set_global_default(captured.subscriber()).unwrap();

    let mut r = start(None).await;
    let before = r.server.app.cert.as_ref().unwrap().current().cert.clone();
    let (cert, _, _) = r.pki.leaf();
    // What `openssl ec -aes256` writes (the body need not decrypt: only its
    // headers are read).
    let encrypted = "-----BEGIN EC PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-256-CBC,0F1E2D3C4B5A69788796A5B4C3D2E1F0\n\nWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpa\n-----END EC PRIVATE KEY-----\n";
    r.certs
        .update(&[("tls.crt", &cert), ("tls.key", encrypted)]);
    let metrics = &r.server.app.metrics;
    wait_for("certificate reload failure", || {
        metrics.cert_reloads().1 == 1
    })
    .await;
    assert_eq!(r.server.app.cert.as_ref().unwrap().current().cert, before);
    // A new connection still gets the old certificate.
    let stream = connect(r.server.addr, default_client(&r.pki))
        .await
        .unwrap();
    let peer = stream.get_ref().1.peer_certificates().unwrap()[0].clone();
    assert_eq!(peer, before[0]);
    drop(stream);
    r.server.run_until(async {}).await;

    let text = captured.text();
    let key = r.certs.path("tls.key").display().to_string();
    let line = text
        .lines()
        .find(|l| l.contains("new serving certificate rejected"))
        .unwrap_or_else(|| panic!("no rejection logged:\n{text}"));
    assert!(line.contains(" ERROR "), "{line}");
    assert!(
        line.contains(&format!(
            "{key} is an encrypted private key (a PEM block with a `Proc-Type: 4,ENCRYPTED` header); eyelint-webhook needs it unencrypted: decrypt it with `openssl pkey -in {key} -out {key}.decrypted`"
        )),
        "{line}"
    );
    assert!(!line.contains("base64"), "{line}");
}
