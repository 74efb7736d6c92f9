//! The `Conditions` section, evaluated once per stack operation from the parameter values
//! (spec cloudformation §4.4): `Fn::Equals`, `Fn::And`, `Fn::Or`, `Fn::Not` and `Condition`
//! over parameters, pseudo parameters and mappings. Resources whose `Condition` is false are
//! not created; `Fn::If` reads the outcomes.

use std::collections::BTreeMap;

use crate::intrinsic::{self, Pseudo, Resources, Scope};
use crate::{Template, TemplateError, Value};

/// Conditions may not look at resources: any resource reference is refused.
struct NoResources;

impl Resources for NoResources {
    fn reference(&self, _: &str) -> Option<Value> {
        None
    }
    fn attribute(&self, logical_id: &str, _: &str) -> Result<Value, TemplateError> {
        Err(TemplateError::format(format!(
            "Unresolved dependencies [{logical_id}]. Cannot reference resources in the Conditions block of the template"
        )))
    }
    fn export(&self, _: &str) -> Option<String> {
        None
    }
}

/// Every condition's outcome.
pub fn evaluate(
    template: &Template,
    parameters: &BTreeMap<String, String>,
    pseudo: &Pseudo,
) -> Result<BTreeMap<String, bool>, TemplateError> {
    let none = BTreeMap::new();
    let scope = Scope {
        template,
        parameters,
        pseudo,
        conditions: &none,
        resources: &NoResources,
    };
    let mut done = BTreeMap::new();
    for name in template.conditions.keys() {
        named(&scope, name, &mut done, &mut Vec::new())?;
    }
    Ok(done)
}

fn named(
    scope: &Scope<'_>,
    name: &str,
    done: &mut BTreeMap<String, bool>,
    visiting: &mut Vec<String>,
) -> Result<bool, TemplateError> {
    if let Some(outcome) = done.get(name) {
        return Ok(*outcome);
    }
    if visiting.iter().any(|v| v == name) {
        return Err(TemplateError::format(format!(
            "Circular dependency between conditions: [{}]",
            visiting.join(", ")
        )));
    }
    let Some(expression) = scope.template.conditions.get(name) else {
        return Err(TemplateError::new(format!(
            "Template error: unresolved condition dependency {name} in Fn::If"
        )));
    };
    visiting.push(name.to_owned());
    let outcome = condition(scope, expression, done, visiting)?;
    visiting.pop();
    done.insert(name.to_owned(), outcome);
    Ok(outcome)
}

fn condition(
    scope: &Scope<'_>,
    expression: &Value,
    done: &mut BTreeMap<String, bool>,
    visiting: &mut Vec<String>,
) -> Result<bool, TemplateError> {
    let Some((function, argument)) = expression
        .as_object()
        .filter(|m| m.len() == 1)
        .and_then(|m| m.iter().next())
    else {
        return Err(TemplateError::format(
            "Conditions can only be boolean operations on parameters and mappings",
        ));
    };
    let operands = |min: usize, max: usize| -> Result<&Vec<Value>, TemplateError> {
        argument
            .as_array()
            .filter(|a| (min..=max).contains(&a.len()))
            .ok_or_else(|| {
                TemplateError::new(format!(
                    "Template error: every {function} object requires a list of {min} to {max} conditions"
                ))
            })
    };
    match function.as_str() {
        "Condition" => {
            let name = argument
                .as_str()
                .ok_or_else(|| TemplateError::format("Condition must name a condition"))?;
            named(scope, name, done, visiting)
        }
        "Fn::Equals" => {
            let equals_error = || {
                TemplateError::new(
                    "Template error: every Fn::Equals object requires a list of 2 string parameters.",
                )
            };
            let [a, b] = argument
                .as_array()
                .and_then(|a| <&[Value; 2]>::try_from(a.as_slice()).ok())
                .ok_or_else(equals_error)?;
            let text = |v: &Value| -> Result<String, TemplateError> {
                match intrinsic::evaluate(scope, v)? {
                    Some(Value::String(s)) => Ok(s),
                    Some(Value::Number(n)) => Ok(n.to_string()),
                    Some(Value::Bool(b)) => Ok(b.to_string()),
                    Some(Value::Array(items)) => Ok(Value::Array(items).to_string()),
                    _ => Err(equals_error()),
                }
            };
            Ok(text(a)? == text(b)?)
        }
        "Fn::Not" => {
            let inner = operands(1, 1)?.first().cloned().unwrap_or_default();
            Ok(!condition(scope, &inner, done, visiting)?)
        }
        "Fn::And" => {
            let mut all = true;
            for c in operands(2, 10)? {
                all &= condition(scope, c, done, visiting)?;
            }
            Ok(all)
        }
        "Fn::Or" => {
            let mut any = false;
            for c in operands(2, 10)? {
                any |= condition(scope, c, done, visiting)?;
            }
            Ok(any)
        }
        other => Err(TemplateError::format(format!(
            "Conditions can only be boolean operations on parameters and mappings, not {other}"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conditions_combine() {
        let template = Template::from_text(
            "Parameters:\n  Env: {Type: String}\nConditions:\n  Prod: !Equals [!Ref Env, prod]\n  NotProd: !Not [!Condition Prod]\n  Either: !Or [!Condition Prod, !Condition NotProd]\n  Both: !And [!Condition Prod, !Condition NotProd]\nResources:\n  B: {Type: AWS::S3::Bucket}\n",
        )
        .unwrap();
        let pseudo = Pseudo {
            account_id: "1".into(),
            region: "us-east-1".into(),
            stack_name: "s".into(),
            stack_id: "id".into(),
            notification_arns: vec![],
        };
        let parameters = BTreeMap::from([("Env".to_owned(), "prod".to_owned())]);
        let c = evaluate(&template, &parameters, &pseudo).unwrap();
        assert_eq!(
            (c["Prod"], c["NotProd"], c["Either"], c["Both"]),
            (true, false, true, false)
        );
    }
}
