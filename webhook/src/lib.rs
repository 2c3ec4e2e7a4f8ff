//! eyelint-webhook.
