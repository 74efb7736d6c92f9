//! IAM actions (Query protocol, `2010-05-08`). None is served yet: every action is
//! answered as AWS answers an action it does not know, never with a fake success.

use crate::auth::Caller;
use crate::protocol::AwsError;
use crate::protocol::query::{Params, QueryService, invalid_action};

pub fn handle(
    _caller: &Caller,
    action: &str,
    _params: &Params,
) -> Result<Option<String>, AwsError> {
    Err(invalid_action(action, QueryService::Iam))
}
