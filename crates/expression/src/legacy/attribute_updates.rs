//! The legacy `AttributeUpdates` parameter: per top-level attribute a PUT, ADD or DELETE.

use strata_dynamodb_item::AttributeValue;

use crate::update::{Action, SetValue, Style, UpdateOperand};
use crate::{ExpressionError, Path, Update};

const INVALID: &str = "One or more parameter values were invalid: ";
const ONLY_DELETE_WITHOUT_VALUE: &str =
    "Only DELETE action is allowed when no attribute value is specified";
const DELETE_NOT_SUPPORTED: &str = "DELETE action with value is not supported for the type ";
const ADD_NOT_SUPPORTED: &str = "ADD action is not supported for the type ";

/// AWS's `AttributeAction`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum AttributeAction {
    #[default]
    Put,
    Add,
    Delete,
}

impl AttributeAction {
    /// The wire name: `PUT`, `ADD` or `DELETE`.
    pub fn parse(name: &str) -> Option<AttributeAction> {
        match name {
            "PUT" => Some(AttributeAction::Put),
            "ADD" => Some(AttributeAction::Add),
            "DELETE" => Some(AttributeAction::Delete),
            _ => None,
        }
    }
}

/// AWS's `AttributeValueUpdate`; an absent Action is PUT.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AttributeValueUpdate {
    pub action: Option<AttributeAction>,
    pub value: Option<AttributeValue>,
}

/// AttributeUpdates as an [`Update`].
pub fn attribute_updates(
    updates: &[(String, AttributeValueUpdate)],
) -> Result<Update, ExpressionError> {
    super::check_names(updates.iter().map(|(name, _)| name))?;
    let mut actions = Vec::with_capacity(updates.len());
    for (attribute, update) in updates {
        let path = Path::attribute(attribute);
        let action = update.action.unwrap_or_default();
        let invalid = |detail: String| ExpressionError::validation(format!("{INVALID}{detail}"));
        let Some(value) = &update.value else {
            if action != AttributeAction::Delete {
                return Err(invalid(ONLY_DELETE_WITHOUT_VALUE.into()));
            }
            actions.push(Action::Remove(path));
            continue;
        };
        let is_set = matches!(
            value,
            AttributeValue::Ss(_) | AttributeValue::Ns(_) | AttributeValue::Bs(_)
        );
        actions.push(match action {
            AttributeAction::Put => {
                Action::Set(path, SetValue::Operand(UpdateOperand::Value(value.clone())))
            }
            AttributeAction::Delete if is_set => Action::Delete(path, value.clone()),
            AttributeAction::Delete => {
                return Err(invalid(format!(
                    "{DELETE_NOT_SUPPORTED}{}",
                    value.type_name()
                )));
            }
            AttributeAction::Add
                if is_set || matches!(value, AttributeValue::N(_) | AttributeValue::L(_)) =>
            {
                Action::Add(path, value.clone())
            }
            AttributeAction::Add => {
                return Err(invalid(format!("{ADD_NOT_SUPPORTED}{}", value.type_name())));
            }
        });
    }
    Ok(Update {
        actions,
        style: Style::Legacy,
    })
}
