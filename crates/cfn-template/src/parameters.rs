//! The `Parameters` section and the values a stack operation gives them (spec cloudformation
//! §4.2). Values are kept as the text the caller sent (or the default); [`ParameterDeclaration::value`]
//! turns one into what `Ref` yields: a string, or a list for the list types.
//!
//! The texts of `Parameters: [...] must have values`, `must be a number`, AllowedValues and
//! ConstraintDescription are recorded from AWS; those for AllowedPattern, lengths and ranges
//! are UNCONFIRMED (the console's wording, spec §8.1), kept here once.

use std::collections::BTreeMap;

use crate::{TemplateError, Value};

/// A parameter's declared type, as far as values are concerned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    String,
    Number,
    /// `List<Number>`.
    NumberList,
    /// `CommaDelimitedList` and the `List<AWS::…>` types.
    StringList,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ParameterDeclaration {
    /// The type as written (`String`, `Number`, `CommaDelimitedList`, …).
    pub parameter_type: String,
    pub kind: Kind,
    pub default: Option<String>,
    pub allowed_values: Vec<String>,
    pub allowed_pattern: Option<String>,
    pub min_length: Option<u64>,
    pub max_length: Option<u64>,
    pub min_value: Option<f64>,
    pub max_value: Option<f64>,
    pub no_echo: bool,
    pub description: Option<String>,
    pub constraint_description: Option<String>,
}

/// A value a stack operation gives a parameter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Given {
    Value(String),
    /// `UsePreviousValue=true`.
    Previous,
}

/// A scalar the template wrote (`Default: 5`, `AllowedValues: [a, 1]`) as CloudFormation
/// reads it: text.
fn text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        // A list default of a list type: CloudFormation joins it.
        Value::Array(items) => items
            .iter()
            .map(text)
            .collect::<Option<Vec<_>>>()
            .map(|items| items.join(",")),
        _ => None,
    }
}

impl ParameterDeclaration {
    pub fn from_value(value: &Value) -> Result<Self, TemplateError> {
        let no_type =
            || TemplateError::format("Every Parameters object must contain a Type member.");
        let body = value.as_object().ok_or_else(no_type)?;
        let parameter_type = body
            .get("Type")
            .and_then(Value::as_str)
            .ok_or_else(no_type)?;
        let kind = match parameter_type {
            "String" => Kind::String,
            "Number" => Kind::Number,
            "List<Number>" => Kind::NumberList,
            "CommaDelimitedList" => Kind::StringList,
            t if t.starts_with("List<AWS::") && t.ends_with('>') => Kind::StringList,
            t if t.starts_with("AWS::") && !t.starts_with("AWS::SSM::") => Kind::String,
            other => {
                return Err(TemplateError::format(format!(
                    "Unrecognized parameter type: {other}"
                )));
            }
        };
        let allowed_values = match body.get("AllowedValues") {
            None => Vec::new(),
            Some(Value::Array(values)) => values
                .iter()
                .map(text)
                .collect::<Option<Vec<_>>>()
                .ok_or_else(|| {
                    TemplateError::format("Every AllowedValues member must be a list.")
                })?,
            Some(_) => {
                return Err(TemplateError::format(
                    "Every AllowedValues member must be a list.",
                ));
            }
        };
        let number = |key: &str| -> Result<Option<f64>, TemplateError> {
            match body.get(key) {
                None => Ok(None),
                Some(v) => text(v)
                    .and_then(|t| t.parse::<f64>().ok())
                    .map(Some)
                    .ok_or_else(|| TemplateError::format(format!("{key} must be a number"))),
            }
        };
        let length = |key: &str| -> Result<Option<u64>, TemplateError> {
            Ok(number(key)?.map(|n| n.max(0.0) as u64))
        };
        let no_echo = body
            .get("NoEcho")
            .and_then(text)
            .is_some_and(|t| t.eq_ignore_ascii_case("true"));
        let declaration = Self {
            parameter_type: parameter_type.to_owned(),
            kind,
            default: body.get("Default").and_then(text),
            allowed_values,
            allowed_pattern: body
                .get("AllowedPattern")
                .and_then(Value::as_str)
                .map(str::to_owned),
            min_length: length("MinLength")?,
            max_length: length("MaxLength")?,
            min_value: number("MinValue")?,
            max_value: number("MaxValue")?,
            no_echo,
            description: body
                .get("Description")
                .and_then(Value::as_str)
                .map(str::to_owned),
            constraint_description: body
                .get("ConstraintDescription")
                .and_then(Value::as_str)
                .map(str::to_owned),
        };
        if let Some(pattern) = &declaration.allowed_pattern {
            regex::Regex::new(&format!("^(?:{pattern})$")).map_err(|_| {
                TemplateError::format(format!("AllowedPattern {pattern} is not a valid pattern"))
            })?;
        }
        Ok(declaration)
    }

    /// What `Ref` yields for the parameter holding `raw`.
    pub fn value(&self, raw: &str) -> Value {
        match self.kind {
            Kind::String | Kind::Number => Value::String(raw.to_owned()),
            Kind::StringList | Kind::NumberList => Value::Array(
                raw.split(',')
                    .map(|item| Value::String(item.trim().to_owned()))
                    .collect(),
            ),
        }
    }

    /// Checks `raw` against the declaration; the error is AWS's.
    fn check(&self, name: &str, raw: &str) -> Result<(), TemplateError> {
        let fail = |default: String| {
            Err(TemplateError::new(match &self.constraint_description {
                Some(d) => format!("Parameter {name} failed to satisfy constraint: {d}"),
                None => default,
            }))
        };
        let items: Vec<&str> = match self.kind {
            Kind::String | Kind::Number => vec![raw],
            Kind::StringList | Kind::NumberList => raw.split(',').map(str::trim).collect(),
        };
        for item in items {
            if matches!(self.kind, Kind::Number | Kind::NumberList) {
                let Ok(n) = item.trim().parse::<f64>() else {
                    return Err(TemplateError::new(format!(
                        "Parameter '{name}' must be a number."
                    )));
                };
                if self.min_value.is_some_and(|min| n < min) {
                    return fail(format!(
                        "Parameter '{name}' must be a number not less than {}",
                        self.min_value.unwrap_or_default()
                    ));
                }
                if self.max_value.is_some_and(|max| n > max) {
                    return fail(format!(
                        "Parameter '{name}' must be a number not greater than {}",
                        self.max_value.unwrap_or_default()
                    ));
                }
            }
            if !self.allowed_values.is_empty() && !self.allowed_values.iter().any(|v| v == item) {
                return fail(format!("Parameter '{name}' must be one of AllowedValues"));
            }
            if let Some(pattern) = &self.allowed_pattern {
                let matches = regex::Regex::new(&format!("^(?:{pattern})$"))
                    .is_ok_and(|re| re.is_match(item));
                if !matches {
                    return fail(format!("Parameter '{name}' must match pattern {pattern}"));
                }
            }
            let chars = item.chars().count() as u64;
            if self.min_length.is_some_and(|min| chars < min) {
                return fail(format!(
                    "Parameter '{name}' must contain at least {} characters",
                    self.min_length.unwrap_or_default()
                ));
            }
            if self.max_length.is_some_and(|max| chars > max) {
                return fail(format!(
                    "Parameter '{name}' must contain at most {} characters",
                    self.max_length.unwrap_or_default()
                ));
            }
        }
        Ok(())
    }
}

/// The value of every declared parameter: given, else previous (`UsePreviousValue`), else
/// the default; each checked. Parameters the template does not declare, and declared ones
/// left without a value, are refused with AWS's texts.
pub fn resolve(
    declarations: &BTreeMap<String, ParameterDeclaration>,
    given: &BTreeMap<String, Given>,
    previous: &BTreeMap<String, String>,
) -> Result<BTreeMap<String, String>, TemplateError> {
    let unknown: Vec<&str> = given
        .keys()
        .map(String::as_str)
        .filter(|k| !declarations.contains_key(*k))
        .collect();
    if !unknown.is_empty() {
        return Err(TemplateError::new(format!(
            "Parameters: [{}] do not exist in the template",
            unknown.join(",")
        )));
    }
    let mut values = BTreeMap::new();
    let mut missing = Vec::new();
    for (name, declaration) in declarations {
        let raw = match given.get(name) {
            Some(Given::Value(v)) => Some(v.clone()),
            Some(Given::Previous) => previous.get(name).cloned(),
            None => declaration.default.clone(),
        };
        match raw {
            Some(raw) => {
                declaration.check(name, &raw)?;
                values.insert(name.clone(), raw);
            }
            None => missing.push(name.as_str()),
        }
    }
    if !missing.is_empty() {
        return Err(TemplateError::new(format!(
            "Parameters: [{}] must have values",
            missing.join(",")
        )));
    }
    Ok(values)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn declarations(value: Value) -> BTreeMap<String, ParameterDeclaration> {
        value
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), ParameterDeclaration::from_value(v).unwrap()))
            .collect()
    }

    fn given(pairs: &[(&str, &str)]) -> BTreeMap<String, Given> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), Given::Value((*v).to_owned())))
            .collect()
    }

    #[test]
    fn values_defaults_and_awss_errors() {
        let d = declarations(json!({
            "Env": {"Type": "String", "AllowedValues": ["dev", "prod"], "Default": "dev"},
            "Days": {"Type": "Number", "MinValue": 1, "MaxValue": 35},
            "Names": {"Type": "CommaDelimitedList"},
            "Code": {"Type": "String", "AllowedPattern": "[a-z]+", "ConstraintDescription": "lower-case letters"},
        }));
        let none = BTreeMap::new();
        let ok = resolve(
            &d,
            &given(&[("Days", "7"), ("Names", "a, b"), ("Code", "abc")]),
            &none,
        )
        .unwrap();
        assert_eq!(ok["Env"], "dev");
        assert_eq!(d["Names"].value(&ok["Names"]), json!(["a", "b"]));
        let err = |g: &[(&str, &str)]| resolve(&d, &given(g), &none).unwrap_err().0;
        assert_eq!(
            err(&[("Days", "7")]),
            "Parameters: [Code,Names] must have values"
        );
        assert_eq!(
            err(&[("Days", "x"), ("Names", "a"), ("Code", "a")]),
            "Parameter 'Days' must be a number."
        );
        assert_eq!(
            err(&[("Days", "7"), ("Names", "a"), ("Code", "a"), ("Env", "qa")]),
            "Parameter 'Env' must be one of AllowedValues"
        );
        assert_eq!(
            err(&[("Days", "7"), ("Names", "a"), ("Code", "A1")]),
            "Parameter Code failed to satisfy constraint: lower-case letters"
        );
        assert_eq!(
            err(&[("Nope", "1")]),
            "Parameters: [Nope] do not exist in the template"
        );
    }

    #[test]
    fn previous_values_are_reused() {
        let d = declarations(json!({"P": {"Type": "String"}}));
        let previous = BTreeMap::from([("P".to_owned(), "old".to_owned())]);
        let given = BTreeMap::from([("P".to_owned(), Given::Previous)]);
        assert_eq!(resolve(&d, &given, &previous).unwrap()["P"], "old");
    }
}
