//! Intrinsic functions and pseudo parameters, resolved against what a stack knows at the
//! moment (spec cloudformation §4.3, §4.4). A resource's `Ref` and attributes, and exports,
//! come from the stack operation through [`Resources`]; everything else is the template's.
//!
//! `Ref: AWS::NoValue` (usually inside `Fn::If`) resolves to nothing: the property or list
//! item holding it is left out, which is why [`evaluate`] answers `Option<Value>`.

use std::collections::BTreeMap;

use base64::Engine;
use serde_json::Map;

use crate::{Template, TemplateError, Value};

/// What the stack operation supplies: the resources created so far and the region's exports.
pub trait Resources {
    /// A resource's `Ref` value, if it exists (was created, and its condition holds).
    fn reference(&self, logical_id: &str) -> Option<Value>;
    /// A resource's attribute (`Fn::GetAtt`); the error is AWS's for an attribute its type
    /// does not have.
    fn attribute(&self, logical_id: &str, attribute: &str) -> Result<Value, TemplateError>;
    /// The value of the export `name` in the stack's account and region.
    fn export(&self, name: &str) -> Option<String>;
}

/// The pseudo parameters of one stack.
#[derive(Clone, Debug)]
pub struct Pseudo {
    pub account_id: String,
    pub region: String,
    pub stack_name: String,
    pub stack_id: String,
    pub notification_arns: Vec<String>,
}

/// Everything a value is resolved against.
pub struct Scope<'a> {
    pub template: &'a Template,
    /// Every parameter's value as text ([`crate::parameters::resolve`]).
    pub parameters: &'a BTreeMap<String, String>,
    pub pseudo: &'a Pseudo,
    /// Every condition's outcome ([`crate::conditions::evaluate`]).
    pub conditions: &'a BTreeMap<String, bool>,
    pub resources: &'a dyn Resources,
}

/// The unresolved-reference error, naming where it was found.
pub fn unresolved(names: &[&str], block: &str) -> TemplateError {
    TemplateError::format(format!(
        "Unresolved resource dependencies [{}] in the {block} block of the template",
        names.join(", ")
    ))
}

impl Scope<'_> {
    /// What `Ref name` yields; `None` for `AWS::NoValue`.
    pub fn reference(&self, name: &str) -> Result<Option<Value>, TemplateError> {
        if let Some(raw) = self.parameters.get(name) {
            let declaration = self.template.parameters.get(name);
            return Ok(Some(
                declaration.map_or_else(|| Value::String(raw.clone()), |d| d.value(raw)),
            ));
        }
        let pseudo = self.pseudo;
        Ok(Some(match name {
            "AWS::AccountId" => pseudo.account_id.clone().into(),
            "AWS::Region" => pseudo.region.clone().into(),
            "AWS::StackName" => pseudo.stack_name.clone().into(),
            "AWS::StackId" => pseudo.stack_id.clone().into(),
            "AWS::Partition" => "aws".into(),
            "AWS::URLSuffix" => "amazonaws.com".into(),
            "AWS::NotificationARNs" => Value::Array(
                pseudo
                    .notification_arns
                    .iter()
                    .cloned()
                    .map(Value::String)
                    .collect(),
            ),
            "AWS::NoValue" => return Ok(None),
            _ => match self.resources.reference(name) {
                Some(value) => value,
                None => return Err(unresolved(&[name], "Resources")),
            },
        }))
    }

    fn attribute(&self, resource: &str, attribute: &str) -> Result<Value, TemplateError> {
        if !self.template.resources.contains_key(resource) {
            return Err(TemplateError::new(format!(
                "Template error: instance of Fn::GetAtt references undefined resource {resource}"
            )));
        }
        self.resources.attribute(resource, attribute)
    }
}

/// Resolves every function in `value`; `None` when the whole value is `AWS::NoValue`.
pub fn evaluate(scope: &Scope<'_>, value: &Value) -> Result<Option<Value>, TemplateError> {
    match value {
        Value::Array(items) => {
            let mut out = Vec::with_capacity(items.len());
            for item in items {
                if let Some(v) = evaluate(scope, item)? {
                    out.push(v);
                }
            }
            Ok(Some(Value::Array(out)))
        }
        Value::Object(map) if map.len() == 1 => {
            let (key, argument) = map.iter().next().expect("one entry");
            if key == "Ref" || key.starts_with("Fn::") {
                function(scope, key, argument)
            } else {
                object(scope, map)
            }
        }
        Value::Object(map) => object(scope, map),
        other => Ok(Some(other.clone())),
    }
}

fn object(scope: &Scope<'_>, map: &Map<String, Value>) -> Result<Option<Value>, TemplateError> {
    let mut out = Map::new();
    for (k, v) in map {
        if let Some(v) = evaluate(scope, v)? {
            out.insert(k.clone(), v);
        }
    }
    Ok(Some(Value::Object(out)))
}

/// A resolved value that must be text (numbers and booleans read as their text).
fn string(value: Option<Value>, what: &str) -> Result<String, TemplateError> {
    match value {
        Some(Value::String(s)) => Ok(s),
        Some(Value::Number(n)) => Ok(n.to_string()),
        Some(Value::Bool(b)) => Ok(b.to_string()),
        _ => Err(TemplateError::new(format!(
            "Template error: {what} must resolve to a string"
        ))),
    }
}

fn list(value: Option<Value>, what: &str) -> Result<Vec<Value>, TemplateError> {
    match value {
        Some(Value::Array(items)) => Ok(items),
        _ => Err(TemplateError::new(format!(
            "Template error: {what} must resolve to a list"
        ))),
    }
}

fn function(
    scope: &Scope<'_>,
    name: &str,
    argument: &Value,
) -> Result<Option<Value>, TemplateError> {
    match name {
        "Ref" => {
            let Some(target) = argument.as_str() else {
                return Err(TemplateError::new(
                    "Template error: every Ref object must have a single String value.",
                ));
            };
            scope.reference(target)
        }
        "Fn::GetAtt" => {
            let parts = get_att_parts(argument).ok_or_else(|| {
                TemplateError::new("Template error: every Fn::GetAtt object requires two non-empty parameters, the resource name and the resource attribute")
            })?;
            let attribute = string(evaluate(scope, &parts.1)?, "Fn::GetAtt's attribute")?;
            scope.attribute(&parts.0, &attribute).map(Some)
        }
        "Fn::Sub" => sub(scope, argument).map(|s| Some(Value::String(s))),
        "Fn::Join" => {
            let join_error = || {
                TemplateError::new(
                    "Template error: every Fn::Join object requires two parameters, (1) a string delimiter and (2) a list of strings to be joined or a function that returns a list of strings (such as Fn::GetAZs) to be joined.",
                )
            };
            let [delimiter, items] = two(argument).ok_or_else(join_error)?;
            let delimiter = delimiter.as_str().ok_or_else(join_error)?;
            let items = list(evaluate(scope, items)?, "Fn::Join's list")?;
            let texts = items
                .into_iter()
                .map(|item| string(Some(item), "every item Fn::Join joins"))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Some(Value::String(texts.join(delimiter))))
        }
        "Fn::Split" => {
            let split_error = || {
                TemplateError::new(
                    "Template error: every Fn::Split object requires two parameters, (1) a string delimiter and (2) a string to be split or a function that returns a string to be split.",
                )
            };
            let [delimiter, source] = two(argument).ok_or_else(split_error)?;
            let delimiter = delimiter
                .as_str()
                .filter(|d| !d.is_empty())
                .ok_or_else(split_error)?;
            let source = string(evaluate(scope, source)?, "Fn::Split's string")?;
            Ok(Some(Value::Array(
                source
                    .split(delimiter)
                    .map(|s| Value::String(s.to_owned()))
                    .collect(),
            )))
        }
        "Fn::Select" => {
            let select_error = || {
                TemplateError::new(
                    "Template error: Fn::Select requires a list argument with two elements: an integer index and a list",
                )
            };
            let [index, items] = two(argument).ok_or_else(select_error)?;
            let index = string(evaluate(scope, index)?, "Fn::Select's index")?
                .parse::<usize>()
                .map_err(|_| select_error())?;
            let items = list(evaluate(scope, items)?, "Fn::Select's list")?;
            items.into_iter().nth(index).map(Some).ok_or_else(|| {
                TemplateError::new(
                    "Template error: Fn::Select cannot select nonexistent value at index",
                )
            })
        }
        "Fn::FindInMap" => {
            let find_error = || {
                TemplateError::new(
                    "Template error: every Fn::FindInMap object requires three parameters, the map name, map key and the attribute for return value",
                )
            };
            let parts = argument
                .as_array()
                .filter(|a| a.len() == 3)
                .ok_or_else(find_error)?;
            let mut keys = Vec::with_capacity(3);
            for part in parts {
                keys.push(string(evaluate(scope, part)?, "Fn::FindInMap's keys")?);
            }
            scope
                .template
                .mappings
                .get(&keys[0])
                .and_then(|m| m.get(&keys[1]))
                .and_then(|m| m.get(&keys[2]))
                .cloned()
                .map(Some)
                .ok_or_else(|| {
                    TemplateError::new(format!(
                        "Template error: Unable to get mapping for {}::{}::{}",
                        keys[0], keys[1], keys[2]
                    ))
                })
        }
        "Fn::If" => {
            let if_error = || {
                TemplateError::new(
                    "Template error: every Fn::If object requires three parameters, the condition, the value if true and the value if false",
                )
            };
            let parts = argument
                .as_array()
                .filter(|a| a.len() == 3)
                .ok_or_else(if_error)?;
            let condition = parts[0].as_str().ok_or_else(if_error)?;
            let holds = scope.conditions.get(condition).copied().ok_or_else(|| {
                TemplateError::new(format!(
                    "Template error: unresolved condition dependency {condition} in Fn::If"
                ))
            })?;
            evaluate(scope, &parts[if holds { 1 } else { 2 }])
        }
        "Fn::ImportValue" => {
            let export = string(evaluate(scope, argument)?, "Fn::ImportValue's name")?;
            scope
                .resources
                .export(&export)
                .map(|v| Some(Value::String(v)))
                .ok_or_else(|| TemplateError::new(format!("No export named {export} found.")))
        }
        "Fn::GetAZs" => {
            let region = string(evaluate(scope, argument)?, "Fn::GetAZs's region")?;
            // UNCONFIRMED (spec §4.4): the emulated region has zones a, b and c.
            let region = if region.is_empty() {
                scope.pseudo.region.clone()
            } else {
                region
            };
            Ok(Some(Value::Array(
                ["a", "b", "c"]
                    .iter()
                    .map(|z| Value::String(format!("{region}{z}")))
                    .collect(),
            )))
        }
        "Fn::Base64" => {
            let text = string(evaluate(scope, argument)?, "Fn::Base64's value")?;
            Ok(Some(Value::String(
                base64::engine::general_purpose::STANDARD.encode(text),
            )))
        }
        "Fn::Cidr" => cidr(scope, argument).map(Some),
        "Fn::Equals" | "Fn::And" | "Fn::Or" | "Fn::Not" => Err(TemplateError::new(format!(
            "Template error: {name} can only be used in the Conditions section or in Fn::If's condition"
        ))),
        other => Err(TemplateError::format(format!(
            "Unrecognized function {other}"
        ))),
    }
}

fn two(argument: &Value) -> Option<[&Value; 2]> {
    match argument.as_array()?.as_slice() {
        [a, b] => Some([a, b]),
        _ => None,
    }
}

/// `["Resource", "Attribute"]` or `"Resource.Attribute"`.
pub fn get_att_parts(argument: &Value) -> Option<(String, Value)> {
    match argument {
        Value::String(s) => {
            let (resource, attribute) = s.split_once('.')?;
            (!resource.is_empty() && !attribute.is_empty())
                .then(|| (resource.to_owned(), Value::String(attribute.to_owned())))
        }
        Value::Array(parts) => match parts.as_slice() {
            [Value::String(resource), attribute] if !resource.is_empty() => {
                Some((resource.clone(), attribute.clone()))
            }
            _ => None,
        },
        _ => None,
    }
}

/// The variables of an `Fn::Sub` string: each `${…}` but `${!…}` (a literal).
pub fn sub_variables(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else { break };
        let name = &after[..end];
        if !name.starts_with('!') {
            out.push(name.trim().to_owned());
        }
        rest = &after[end + 1..];
    }
    out
}

fn sub(scope: &Scope<'_>, argument: &Value) -> Result<String, TemplateError> {
    let sub_error = || {
        TemplateError::new(
            "Template error: One or more Fn::Sub intrinsic functions don't specify expected arguments. Specify a string as first argument, and an optional second argument to specify a mapping of values to replace in the string",
        )
    };
    let (text, variables) = match argument {
        Value::String(s) => (s.as_str(), None),
        Value::Array(parts) => match parts.as_slice() {
            [Value::String(s), Value::Object(vars)] => (s.as_str(), Some(vars)),
            _ => return Err(sub_error()),
        },
        _ => return Err(sub_error()),
    };
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            out.push_str(&rest[start..]);
            rest = "";
            break;
        };
        let name = &after[..end];
        if let Some(literal) = name.strip_prefix('!') {
            out.push_str("${");
            out.push_str(literal);
            out.push('}');
        } else {
            let name = name.trim();
            let value = match variables.and_then(|v| v.get(name)) {
                Some(v) => evaluate(scope, v)?,
                None => match name.split_once('.') {
                    Some((resource, attribute)) if !name.starts_with("AWS::") => {
                        Some(scope.attribute(resource, attribute)?)
                    }
                    _ => scope.reference(name)?,
                },
            };
            out.push_str(&string(value, &format!("Fn::Sub's variable {name}"))?);
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// `Fn::Cidr [ipBlock, count, cidrBits]`: `count` consecutive IPv4 blocks of `32 - cidrBits`
/// prefix bits from the start of `ipBlock`.
fn cidr(scope: &Scope<'_>, argument: &Value) -> Result<Value, TemplateError> {
    let cidr_error = || {
        TemplateError::new(
            "Template error: Fn::Cidr requires three parameters: an address block, the count of subnets and the number of subnet bits",
        )
    };
    let parts = argument
        .as_array()
        .filter(|a| a.len() == 3)
        .ok_or_else(cidr_error)?;
    let block = string(evaluate(scope, &parts[0])?, "Fn::Cidr's block")?;
    let count: u32 = string(evaluate(scope, &parts[1])?, "Fn::Cidr's count")?
        .parse()
        .map_err(|_| cidr_error())?;
    let host_bits: u32 = string(evaluate(scope, &parts[2])?, "Fn::Cidr's bits")?
        .parse()
        .map_err(|_| cidr_error())?;
    let (address, prefix) = block.split_once('/').ok_or_else(cidr_error)?;
    let address: std::net::Ipv4Addr = address.parse().map_err(|_| cidr_error())?;
    let prefix: u32 = prefix.parse().map_err(|_| cidr_error())?;
    if prefix > 32 || host_bits == 0 || host_bits > 32 - prefix || count == 0 || count > 256 {
        return Err(cidr_error());
    }
    let subnet_prefix = 32 - host_bits;
    let available = 1u64 << (subnet_prefix - prefix);
    if u64::from(count) > available {
        return Err(cidr_error());
    }
    let network = u32::from(address) & (u32::MAX.checked_shl(32 - prefix).unwrap_or(0));
    let size = 1u64 << host_bits;
    Ok(Value::Array(
        (0..u64::from(count))
            .map(|i| {
                let start = u64::from(network) + i * size;
                let start = std::net::Ipv4Addr::from(start as u32);
                Value::String(format!("{start}/{subnet_prefix}"))
            })
            .collect(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    struct Created;

    impl Resources for Created {
        fn reference(&self, logical_id: &str) -> Option<Value> {
            (logical_id == "Bucket").then(|| json!("my-bucket"))
        }
        fn attribute(&self, logical_id: &str, attribute: &str) -> Result<Value, TemplateError> {
            match (logical_id, attribute) {
                ("Bucket", "Arn") => Ok(json!("arn:aws:s3:::my-bucket")),
                _ => Err(TemplateError::new(format!(
                    "Template error: resource {logical_id} does not support attribute type {attribute} in Fn::GetAtt"
                ))),
            }
        }
        fn export(&self, name: &str) -> Option<String> {
            (name == "shared").then(|| "value".to_owned())
        }
    }

    fn resolve(value: Value) -> Result<Option<Value>, TemplateError> {
        let template = Template::from_text(
            "Parameters:\n  Env: {Type: String}\n  Names: {Type: CommaDelimitedList}\nMappings:\n  M:\n    us-east-1: {Zone: east}\nConditions:\n  Prod: !Equals [!Ref Env, prod]\nResources:\n  Bucket: {Type: AWS::S3::Bucket}\n",
        )
        .unwrap();
        let parameters = BTreeMap::from([
            ("Env".to_owned(), "dev".to_owned()),
            ("Names".to_owned(), "a,b".to_owned()),
        ]);
        let pseudo = Pseudo {
            account_id: "111111111111".into(),
            region: "us-east-1".into(),
            stack_name: "s".into(),
            stack_id: "arn:aws:cloudformation:us-east-1:111111111111:stack/s/x".into(),
            notification_arns: vec![],
        };
        let conditions = crate::conditions::evaluate(&template, &parameters, &pseudo).unwrap();
        let scope = Scope {
            template: &template,
            parameters: &parameters,
            pseudo: &pseudo,
            conditions: &conditions,
            resources: &Created,
        };
        evaluate(&scope, &value)
    }

    #[test]
    fn functions_resolve() {
        let r = |v: Value| resolve(v).unwrap().unwrap();
        assert_eq!(
            r(json!({"Fn::Sub": "${AWS::StackName}-${Env}-${Bucket}-${Bucket.Arn}-${!Literal}"})),
            json!("s-dev-my-bucket-arn:aws:s3:::my-bucket-${Literal}")
        );
        assert_eq!(
            r(json!({"Fn::Sub": ["${X}!", {"X": {"Ref": "Env"}}]})),
            json!("dev!")
        );
        assert_eq!(
            r(json!({"Fn::Join": ["-", {"Ref": "Names"}]})),
            json!("a-b")
        );
        assert_eq!(
            r(json!({"Fn::Select": ["1", {"Fn::Split": [",", "x,y"]}]})),
            json!("y")
        );
        assert_eq!(
            r(json!({"Fn::FindInMap": ["M", {"Ref": "AWS::Region"}, "Zone"]})),
            json!("east")
        );
        assert_eq!(
            r(
                json!({"A": {"Fn::If": ["Prod", 1, {"Ref": "AWS::NoValue"}]}, "B": [1, {"Ref": "AWS::NoValue"}]})
            ),
            json!({"B": [1]})
        );
        assert_eq!(r(json!({"Fn::ImportValue": "shared"})), json!("value"));
        assert_eq!(r(json!({"Fn::Base64": "hi"})), json!("aGk="));
        assert_eq!(
            r(json!({"Fn::Cidr": ["10.0.0.0/16", 3, 8]})),
            json!(["10.0.0.0/24", "10.0.1.0/24", "10.0.2.0/24"])
        );
        assert_eq!(
            r(json!({"Fn::GetAZs": ""})),
            json!(["us-east-1a", "us-east-1b", "us-east-1c"])
        );
    }

    #[test]
    fn errors_are_awss() {
        let e = |v: Value| resolve(v).unwrap_err().0;
        assert_eq!(
            e(json!({"Fn::ImportValue": "nope"})),
            "No export named nope found."
        );
        assert_eq!(
            e(json!({"Fn::FindInMap": ["M", "eu-west-1", "Zone"]})),
            "Template error: Unable to get mapping for M::eu-west-1::Zone"
        );
        assert_eq!(
            e(json!({"Fn::GetAtt": ["Bucket", "Nope"]})),
            "Template error: resource Bucket does not support attribute type Nope in Fn::GetAtt"
        );
        assert_eq!(
            e(json!({"Fn::GetAtt": ["Bucket"]})),
            "Template error: every Fn::GetAtt object requires two non-empty parameters, the resource name and the resource attribute"
        );
        assert_eq!(
            e(json!({"Fn::Select": ["x", []]})),
            "Template error: Fn::Select requires a list argument with two elements: an integer index and a list"
        );
    }
}
