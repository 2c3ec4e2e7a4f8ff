//! The webhook's text log, captured: fields that come from a request are
//! quoted and escaped. In a file of its own, so that its test is the only
//! one of its process: a subscriber set for one thread does not see events
//! whose callsites other tests' threads registered first.

mod common;

use common::tls::*;
use hyper::StatusCode;
use serde_json::json;

/// Fields of the request in the text log are quoted and escaped: a `uid`
/// with a line break cannot write a line of its own into the log.
#[tokio::test(flavor = "current_thread")]
async fn request_fields_cannot_forge_log_lines() {
    let captured = common::Captured::default();
    let _guard = tracing::subscriber::set_default(captured.subscriber());
    let r = start(None).await;
    let mut review = common::review_json("CREATE", None, None, "jane", None);
    review["request"]["uid"] =
        json!("abc\n2026-01-01T00:00:00.000000Z  INFO eyelint_webhook::server: FORGED");
    let (status, _) = post_once(
        r.server.addr,
        default_client(&r.pki),
        "/validate",
        serde_json::to_vec(&review).unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    r.server.run_until(async {}).await;
    let text = captured.text();
    assert!(
        text.contains("uid=\"abc\\n2026-01-01T00:00:00.000000Z"),
        "{text}"
    );
    assert!(
        !text
            .lines()
            .any(|l| l.starts_with("2026-01-01T00:00:00.000000Z")),
        "{text}"
    );
}
