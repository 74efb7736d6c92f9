//! Template text to a [`Value`]: JSON is tried first, then YAML (spec cloudformation §4.1).
//! YAML's short-form tags become the full forms (`!Ref X` → `{"Ref": "X"}`, `!GetAtt A.B` →
//! `{"Fn::GetAtt": ["A", "B"]}`, `!Sub …` → `{"Fn::Sub": …}`), so everything after this
//! module sees one shape.

use serde_json::{Map, Number};
use serde_norway::value::TaggedValue;

use crate::{TemplateError, Value};

/// The short-form tags and the functions they stand for.
const TAGS: [(&str, &str); 18] = [
    ("Ref", "Ref"),
    ("Condition", "Condition"),
    ("GetAtt", "Fn::GetAtt"),
    ("Sub", "Fn::Sub"),
    ("Join", "Fn::Join"),
    ("Split", "Fn::Split"),
    ("Select", "Fn::Select"),
    ("FindInMap", "Fn::FindInMap"),
    ("If", "Fn::If"),
    ("Equals", "Fn::Equals"),
    ("Not", "Fn::Not"),
    ("And", "Fn::And"),
    ("Or", "Fn::Or"),
    ("ImportValue", "Fn::ImportValue"),
    ("GetAZs", "Fn::GetAZs"),
    ("Base64", "Fn::Base64"),
    ("Cidr", "Fn::Cidr"),
    ("Transform", "Fn::Transform"),
];

/// Parses template text. A body that starts like JSON (`{`) is JSON and its syntax errors
/// say so with line and column (AWS's column is one past serde's: LocalStack's AWS-recorded
/// `test_validate_invalid_json_template_should_fail`); anything else is YAML.
pub fn parse(text: &str) -> Result<Value, TemplateError> {
    if text.trim_start().starts_with('{') {
        return serde_json::from_str(text).map_err(|e| {
            TemplateError::format(format!(
                "JSON not well-formed. (line {}, column {})",
                e.line(),
                e.column() + 1
            ))
        });
    }
    let yaml: serde_norway::Value =
        serde_norway::from_str(text).map_err(|_| TemplateError::format("YAML not well-formed."))?;
    from_yaml(yaml)
}

fn from_yaml(yaml: serde_norway::Value) -> Result<Value, TemplateError> {
    use serde_norway::Value as Y;
    Ok(match yaml {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(b),
        Y::Number(n) => number(&n),
        Y::String(s) => Value::String(s),
        Y::Sequence(items) => {
            Value::Array(items.into_iter().map(from_yaml).collect::<Result<_, _>>()?)
        }
        Y::Mapping(mapping) => {
            let mut map = Map::new();
            for (key, value) in mapping {
                map.insert(scalar_key(key)?, from_yaml(value)?);
            }
            Value::Object(map)
        }
        Y::Tagged(tagged) => tag(*tagged)?,
    })
}

fn number(n: &serde_norway::Number) -> Value {
    if let Some(i) = n.as_i64() {
        Value::Number(i.into())
    } else if let Some(u) = n.as_u64() {
        Value::Number(u.into())
    } else {
        n.as_f64()
            .and_then(Number::from_f64)
            .map_or_else(|| Value::String(n.to_string()), Value::Number)
    }
}

/// A mapping key: CloudFormation keys are strings; a number or boolean key reads as its text.
fn scalar_key(key: serde_norway::Value) -> Result<String, TemplateError> {
    use serde_norway::Value as Y;
    match key {
        Y::String(s) => Ok(s),
        Y::Number(n) => Ok(n.to_string()),
        Y::Bool(b) => Ok(b.to_string()),
        _ => Err(TemplateError::format("YAML not well-formed.")),
    }
}

fn tag(tagged: TaggedValue) -> Result<Value, TemplateError> {
    let name = tagged.tag.to_string();
    let name = name.trim_start_matches('!');
    let Some((_, function)) = TAGS.iter().find(|(short, _)| *short == name) else {
        return Err(TemplateError::format("YAML not well-formed."));
    };
    let value = from_yaml(tagged.value)?;
    let value = match (*function, value) {
        // `!GetAtt Resource.Attribute` splits at the first dot.
        ("Fn::GetAtt", Value::String(s)) => match s.split_once('.') {
            Some((resource, attribute)) => Value::Array(vec![resource.into(), attribute.into()]),
            None => Value::String(s),
        },
        (_, value) => value,
    };
    let mut map = Map::new();
    map.insert((*function).to_owned(), value);
    Ok(Value::Object(map))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn short_tags_become_full_forms() {
        let text = "Resources:\n  T:\n    Type: AWS::DynamoDB::Table\n    Properties:\n      TableName: !Sub '${AWS::StackName}-t'\n      Arn: !GetAtt Other.Arn\n      List: !Split [',', !Ref P]\n      Cond: !If [C, !Ref AWS::NoValue, 5]\n";
        let value = parse(text).unwrap();
        let props = &value["Resources"]["T"]["Properties"];
        assert_eq!(
            props["TableName"],
            json!({"Fn::Sub": "${AWS::StackName}-t"})
        );
        assert_eq!(props["Arn"], json!({"Fn::GetAtt": ["Other", "Arn"]}));
        assert_eq!(props["List"], json!({"Fn::Split": [",", {"Ref": "P"}]}));
        assert_eq!(
            props["Cond"],
            json!({"Fn::If": ["C", {"Ref": "AWS::NoValue"}, 5]})
        );
    }

    #[test]
    fn json_errors_name_line_and_column_and_yaml_errors_are_generic() {
        assert_eq!(
            parse("{\"Resources\": }").unwrap_err().0,
            "Template format error: JSON not well-formed. (line 1, column 16)"
        );
        assert_eq!(
            parse("Resources: [unclosed").unwrap_err().0,
            "Template format error: YAML not well-formed."
        );
        assert_eq!(
            parse("A: !NotAFunction x").unwrap_err().0,
            "Template format error: YAML not well-formed."
        );
    }

    #[test]
    fn dates_stay_strings() {
        let value = parse("AWSTemplateFormatVersion: 2010-09-09\nResources: {}\n").unwrap();
        assert_eq!(value["AWSTemplateFormatVersion"], json!("2010-09-09"));
    }
}
