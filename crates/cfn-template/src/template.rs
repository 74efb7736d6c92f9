//! A parsed template's sections, checked for the structural errors AWS reports before any
//! resource is touched (spec cloudformation §4.1, §4.5, §2.7). Values inside properties
//! stay [`Value`]s: they are resolved only when a stack operation reaches them.

use std::collections::BTreeMap;

use serde_json::Map;

use crate::parameters::ParameterDeclaration;
use crate::{TemplateError, Value};

/// The attributes a resource may carry besides `Type` and `Properties`.
const RESOURCE_ATTRIBUTES: [&str; 9] = [
    "Type",
    "Properties",
    "DependsOn",
    "Condition",
    "DeletionPolicy",
    "UpdateReplacePolicy",
    "Metadata",
    "CreationPolicy",
    "UpdatePolicy",
];

/// The top-level sections of a template.
const SECTIONS: [&str; 10] = [
    "AWSTemplateFormatVersion",
    "Description",
    "Metadata",
    "Parameters",
    "Rules",
    "Mappings",
    "Conditions",
    "Transform",
    "Resources",
    "Outputs",
];

/// The longest `Description` AWS accepts.
const MAX_DESCRIPTION: usize = 1024;

/// A template whose structure has been checked.
#[derive(Clone, Debug, PartialEq)]
pub struct Template {
    pub description: Option<String>,
    /// The top-level `Metadata`, as written.
    pub metadata: Option<Value>,
    pub parameters: BTreeMap<String, ParameterDeclaration>,
    pub mappings: Map<String, Value>,
    /// Condition name → its (unevaluated) expression.
    pub conditions: Map<String, Value>,
    pub resources: BTreeMap<String, Resource>,
    pub outputs: BTreeMap<String, Output>,
}

/// One entry of `Resources`.
#[derive(Clone, Debug, PartialEq)]
pub struct Resource {
    pub resource_type: String,
    /// `Properties`, unresolved (`{}` when absent).
    pub properties: Value,
    pub depends_on: Vec<String>,
    pub condition: Option<String>,
    /// `Delete` (the default here), `Retain`, `RetainExceptOnCreate` or `Snapshot`.
    pub deletion_policy: String,
    pub update_replace_policy: String,
    /// `Metadata`, unresolved.
    pub metadata: Option<Value>,
}

impl Resource {
    /// Whether a stack delete (or a removal by update) leaves the resource in place.
    pub fn retained_on_delete(&self) -> bool {
        matches!(
            self.deletion_policy.as_str(),
            "Retain" | "RetainExceptOnCreate"
        )
    }
}

/// One entry of `Outputs`.
#[derive(Clone, Debug, PartialEq)]
pub struct Output {
    pub description: Option<String>,
    pub value: Value,
    /// `Export.Name`, unresolved.
    pub export_name: Option<Value>,
    pub condition: Option<String>,
}

impl Template {
    /// Parses and checks template text.
    pub fn from_text(text: &str) -> Result<Self, TemplateError> {
        Self::from_value(&crate::parse(text)?)
    }

    /// Checks a parsed template's structure.
    pub fn from_value(value: &Value) -> Result<Self, TemplateError> {
        let Some(top) = value.as_object() else {
            return Err(TemplateError::format(
                "template must be a JSON or YAML object",
            ));
        };
        let unknown: Vec<&str> = top
            .keys()
            .map(String::as_str)
            .filter(|k| !SECTIONS.contains(k))
            .collect();
        if !unknown.is_empty() {
            return Err(TemplateError::format(format!(
                "Invalid template property or properties [{}]",
                unknown.join(", ")
            )));
        }
        if let Some(transform) = top.get("Transform") {
            // Transforms (SAM, AWS::Include, macros) are not served (spec §4.1): the template
            // cannot be expanded, so it is refused rather than deployed half-understood.
            return Err(TemplateError::new(format!(
                "Transform {transform} is not supported by strata"
            )));
        }
        let description = match top.get("Description") {
            None => None,
            Some(Value::String(d)) if d.len() > MAX_DESCRIPTION => {
                return Err(TemplateError::format(format!(
                    "Template description can not be longer than {MAX_DESCRIPTION} characters"
                )));
            }
            Some(Value::String(d)) => Some(d.clone()),
            Some(_) => return Err(TemplateError::format("Description must be a string")),
        };
        let parameters = parameters(top.get("Parameters"))?;
        let mappings = mappings(top.get("Mappings"))?;
        let conditions = match top.get("Conditions") {
            None => Map::new(),
            Some(Value::Object(c)) => c.clone(),
            Some(_) => return Err(TemplateError::format("Conditions must be a map")),
        };
        let resources = resources(top.get("Resources"))?;
        let outputs = outputs(top.get("Outputs"))?;
        let template = Self {
            description,
            metadata: top.get("Metadata").cloned(),
            parameters,
            mappings,
            conditions,
            resources,
            outputs,
        };
        crate::graph::check_references(&template)?;
        Ok(template)
    }

    /// Whether a name is declared as a parameter.
    pub fn is_parameter(&self, name: &str) -> bool {
        self.parameters.contains_key(name)
    }
}

fn alphanumeric(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric())
}

fn parameters(
    section: Option<&Value>,
) -> Result<BTreeMap<String, ParameterDeclaration>, TemplateError> {
    let mut out = BTreeMap::new();
    let Some(section) = section else {
        return Ok(out);
    };
    let Some(section) = section.as_object() else {
        return Err(TemplateError::format(
            "Every Parameters object must contain a Type member.",
        ));
    };
    for (name, declaration) in section {
        if !alphanumeric(name) {
            return Err(TemplateError::format(format!(
                "Parameter name {name} is non alphanumeric."
            )));
        }
        out.insert(name.clone(), ParameterDeclaration::from_value(declaration)?);
    }
    Ok(out)
}

fn mappings(section: Option<&Value>) -> Result<Map<String, Value>, TemplateError> {
    let Some(section) = section else {
        return Ok(Map::new());
    };
    let Some(section) = section.as_object() else {
        return Err(TemplateError::format("Mappings must be a map"));
    };
    for (name, mapping) in section {
        let valid = mapping
            .as_object()
            .is_some_and(|top| top.values().all(Value::is_object));
        if !valid {
            return Err(TemplateError::format(format!(
                "Every Mappings member {name} must be a map"
            )));
        }
    }
    Ok(section.clone())
}

fn resources(section: Option<&Value>) -> Result<BTreeMap<String, Resource>, TemplateError> {
    let at_least_one = || TemplateError::format("At least one Resources member must be defined.");
    let section = match section {
        None => return Err(at_least_one()),
        Some(Value::Object(section)) => section,
        // LocalStack's AWS-recorded test_linting_error_during_creation (`"Resources": ""`).
        Some(_) => {
            return Err(TemplateError::format(
                "Any Resources member must be an object.",
            ));
        }
    };
    if section.is_empty() {
        return Err(at_least_one());
    }
    let mut out = BTreeMap::new();
    for (name, body) in section {
        if !alphanumeric(name) {
            return Err(TemplateError::format(format!(
                "Resource name {name} is non alphanumeric."
            )));
        }
        let no_type = || {
            TemplateError::format(format!(
                "[/Resources/{name}] Every Resources object must contain a Type member."
            ))
        };
        let body = body.as_object().ok_or_else(no_type)?;
        if let Some(key) = body
            .keys()
            .find(|k| !RESOURCE_ATTRIBUTES.contains(&k.as_str()))
        {
            return Err(TemplateError::new(format!(
                "Invalid template resource property '{key}'"
            )));
        }
        let resource_type = body
            .get("Type")
            .and_then(Value::as_str)
            .ok_or_else(no_type)?
            .to_owned();
        let properties = match body.get("Properties") {
            None | Some(Value::Null) => Value::Object(Map::new()),
            Some(p @ Value::Object(_)) => p.clone(),
            Some(_) => {
                return Err(TemplateError::format(format!(
                    "[/Resources/{name}/Properties] Every Properties member must be an object"
                )));
            }
        };
        let depends_on = match body.get("DependsOn") {
            None => Vec::new(),
            Some(Value::String(one)) => vec![one.clone()],
            Some(Value::Array(many)) => many
                .iter()
                .map(|d| d.as_str().map(str::to_owned))
                .collect::<Option<Vec<_>>>()
                .ok_or_else(|| {
                    TemplateError::format(format!(
                        "[/Resources/{name}/DependsOn] DependsOn must be a string or a list of strings"
                    ))
                })?,
            Some(_) => {
                return Err(TemplateError::format(format!(
                    "[/Resources/{name}/DependsOn] DependsOn must be a string or a list of strings"
                )));
            }
        };
        let policy = |key: &str, allowed: &[&str]| -> Result<String, TemplateError> {
            match body.get(key) {
                None => Ok("Delete".to_owned()),
                Some(Value::String(p)) if allowed.contains(&p.as_str()) => Ok(p.clone()),
                Some(other) => Err(TemplateError::format(format!(
                    "[/Resources/{name}/{key}] {key} must be one of [{}], not {other}",
                    allowed.join(", ")
                ))),
            }
        };
        out.insert(
            name.clone(),
            Resource {
                resource_type,
                properties,
                depends_on,
                condition: body
                    .get("Condition")
                    .and_then(Value::as_str)
                    .map(str::to_owned),
                deletion_policy: policy(
                    "DeletionPolicy",
                    &["Delete", "Retain", "RetainExceptOnCreate", "Snapshot"],
                )?,
                update_replace_policy: policy(
                    "UpdateReplacePolicy",
                    &["Delete", "Retain", "Snapshot"],
                )?,
                metadata: body.get("Metadata").cloned(),
            },
        );
    }
    Ok(out)
}

fn outputs(section: Option<&Value>) -> Result<BTreeMap<String, Output>, TemplateError> {
    let mut out = BTreeMap::new();
    let Some(section) = section else {
        return Ok(out);
    };
    let no_value = || TemplateError::format("Every Outputs member must contain a Value object");
    let section = section.as_object().ok_or_else(no_value)?;
    for (name, body) in section {
        if !alphanumeric(name) {
            return Err(TemplateError::format(format!(
                "Output name {name} is non alphanumeric."
            )));
        }
        let body = body.as_object().ok_or_else(no_value)?;
        let value = match body.get("Value") {
            None => return Err(no_value()),
            Some(Value::Null) => {
                return Err(TemplateError::new(format!(
                    "[/Outputs/{name}/Value] 'null' values are not allowed in templates"
                )));
            }
            Some(v) => v.clone(),
        };
        let export_name = match body.get("Export") {
            None => None,
            Some(export) => Some(export.get("Name").cloned().ok_or_else(|| {
                TemplateError::format(format!(
                    "Output {name} is malformed. Export must contain a Name"
                ))
            })?),
        };
        out.insert(
            name.clone(),
            Output {
                description: body
                    .get("Description")
                    .and_then(Value::as_str)
                    .map(str::to_owned),
                value,
                export_name,
                condition: body
                    .get("Condition")
                    .and_then(Value::as_str)
                    .map(str::to_owned),
            },
        );
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(text: &str) -> String {
        Template::from_text(text).unwrap_err().0
    }

    #[test]
    fn structural_errors_are_awss() {
        assert_eq!(
            error("Description: x\n"),
            "Template format error: At least one Resources member must be defined."
        );
        assert_eq!(
            error("Resources:\n  A:\n    Properties: {}\n"),
            "Template format error: [/Resources/A] Every Resources object must contain a Type member."
        );
        assert_eq!(
            error("Resources:\n  A:\n    Type: AWS::S3::Bucket\n    Propertes: {}\n"),
            "Invalid template resource property 'Propertes'"
        );
        assert_eq!(
            error("Resources:\n  my-bucket:\n    Type: AWS::S3::Bucket\n"),
            "Template format error: Resource name my-bucket is non alphanumeric."
        );
        assert_eq!(
            error(
                "Resources:\n  A:\n    Type: AWS::S3::Bucket\nOutputs:\n  O:\n    Description: x\n"
            ),
            "Template format error: Every Outputs member must contain a Value object"
        );
        assert_eq!(
            error("Resources:\n  A:\n    Type: AWS::S3::Bucket\nOutputs:\n  O:\n    Value: null\n"),
            "[/Outputs/O/Value] 'null' values are not allowed in templates"
        );
        assert_eq!(
            error("Mappings:\n  M: [1]\nResources:\n  A:\n    Type: AWS::S3::Bucket\n"),
            "Template format error: Every Mappings member M must be a map"
        );
        assert_eq!(
            error("Foo: 1\nResources:\n  A:\n    Type: AWS::S3::Bucket\n"),
            "Template format error: Invalid template property or properties [Foo]"
        );
    }

    #[test]
    fn resources_keep_their_attributes() {
        let t = Template::from_text(
            "Resources:\n  B:\n    Type: AWS::S3::Bucket\n    DeletionPolicy: Retain\n    DependsOn: [C]\n  C:\n    Type: AWS::S3::Bucket\n",
        )
        .unwrap();
        let b = &t.resources["B"];
        assert!(b.retained_on_delete());
        assert_eq!(b.depends_on, ["C"]);
        assert_eq!(t.resources["C"].deletion_policy, "Delete");
    }
}
