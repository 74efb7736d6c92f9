//! What the edge keeps for every request: the application and the SigV4 verifier, whose
//! signing-key cache outlives requests.

use std::sync::Arc;

use strata_app::App;
use strata_sigv4::Verifier;

pub struct Edge {
    pub app: Arc<App>,
    pub verifier: Verifier,
    pub options: crate::listener::Options,
}
