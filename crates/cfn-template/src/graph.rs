//! Which resources depend on which (spec cloudformation §2.5, §2.7, §4.4): `Ref`,
//! `Fn::GetAtt`, the variables of `Fn::Sub` and `DependsOn`. References to nothing declared
//! are refused when the template is read, cycles too; stack operations create in
//! [`creation_order`] and delete in its reverse.

use std::collections::{BTreeMap, BTreeSet};

use crate::intrinsic::{get_att_parts, sub_variables, unresolved};
use crate::{Template, TemplateError, Value};

/// The names `Ref` may name besides parameters and resources.
const PSEUDO: [&str; 8] = [
    "AWS::AccountId",
    "AWS::Region",
    "AWS::StackName",
    "AWS::StackId",
    "AWS::Partition",
    "AWS::URLSuffix",
    "AWS::NotificationARNs",
    "AWS::NoValue",
];

/// Every name a value refers to, and the resources its `Fn::GetAtt`s read.
#[derive(Default)]
struct Refs {
    names: BTreeSet<String>,
    attributes: BTreeSet<String>,
    /// The `(resource, attribute)` pairs read, where the attribute is a literal name.
    reads: BTreeSet<(String, String)>,
    conditions: BTreeSet<String>,
}

fn collect(value: &Value, refs: &mut Refs) {
    match value {
        Value::Array(items) => items.iter().for_each(|v| collect(v, refs)),
        Value::Object(map) => {
            if map.len() == 1 {
                let (key, argument) = map.iter().next().expect("one entry");
                match key.as_str() {
                    "Ref" => {
                        if let Some(name) = argument.as_str() {
                            refs.names.insert(name.to_owned());
                        }
                        return;
                    }
                    "Fn::GetAtt" => {
                        if let Some((resource, attribute)) = get_att_parts(argument) {
                            if let Value::String(attribute) = attribute {
                                refs.reads.insert((resource.clone(), attribute));
                            }
                            refs.attributes.insert(resource);
                        }
                        return;
                    }
                    "Fn::Sub" => {
                        let (text, variables) = match argument {
                            Value::String(s) => (s.as_str(), None),
                            Value::Array(parts) => match parts.as_slice() {
                                [Value::String(s), Value::Object(vars)] => {
                                    vars.values().for_each(|v| collect(v, refs));
                                    (s.as_str(), Some(vars))
                                }
                                _ => return,
                            },
                            _ => return,
                        };
                        for name in sub_variables(text) {
                            if variables.is_some_and(|v| v.contains_key(&name)) {
                                continue;
                            }
                            match name.split_once('.') {
                                Some((resource, attribute)) if !name.starts_with("AWS::") => {
                                    refs.reads
                                        .insert((resource.to_owned(), attribute.to_owned()));
                                    refs.attributes.insert(resource.to_owned());
                                }
                                _ => {
                                    refs.names.insert(name);
                                }
                            }
                        }
                        return;
                    }
                    "Fn::If" => {
                        if let Some(condition) = argument.get(0).and_then(Value::as_str) {
                            refs.conditions.insert(condition.to_owned());
                        }
                    }
                    _ => {}
                }
            }
            map.values().for_each(|v| collect(v, refs));
        }
        _ => {}
    }
}

/// One `Fn::GetAtt` with a literal attribute name, where the template has it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GetAtt {
    /// `/Resources/<Id>/Properties/…/Fn::GetAtt` or `/Outputs/<Key>/Value/…/Fn::GetAtt`.
    pub path: String,
    pub resource: String,
    pub attribute: String,
}

/// Every attribute read in the resources' properties and the outputs' values with a literal
/// name: `Fn::GetAtt`, and `${Resource.Attribute}` in `Fn::Sub`.
pub fn get_atts(template: &Template) -> Vec<GetAtt> {
    fn walk(value: &Value, path: &str, out: &mut Vec<GetAtt>) {
        match value {
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    walk(item, &format!("{path}/{i}"), out);
                }
            }
            Value::Object(map) => {
                if let (1, Some(argument)) = (map.len(), map.get("Fn::GetAtt")) {
                    if let Some((resource, Value::String(attribute))) = get_att_parts(argument) {
                        out.push(GetAtt {
                            path: format!("{path}/Fn::GetAtt"),
                            resource,
                            attribute,
                        });
                    }
                    return;
                }
                if let (1, Some(argument)) = (map.len(), map.get("Fn::Sub")) {
                    // `${Resource.Attribute}` reads an attribute as Fn::GetAtt does.
                    let (text, variables) = match argument {
                        Value::String(text) => (text.as_str(), None),
                        Value::Array(parts) => match parts.as_slice() {
                            [Value::String(text), Value::Object(variables)] => {
                                (text.as_str(), Some(variables))
                            }
                            _ => return,
                        },
                        _ => return,
                    };
                    for name in sub_variables(text) {
                        if name.starts_with("AWS::")
                            || variables.is_some_and(|v| v.contains_key(&name))
                        {
                            continue;
                        }
                        if let Some((resource, attribute)) = name.split_once('.') {
                            out.push(GetAtt {
                                path: format!("{path}/Fn::Sub"),
                                resource: resource.to_owned(),
                                attribute: attribute.to_owned(),
                            });
                        }
                    }
                    if let Some(variables) = variables {
                        for (key, item) in variables {
                            walk(item, &format!("{path}/Fn::Sub/1/{key}"), out);
                        }
                    }
                    return;
                }
                for (key, item) in map {
                    walk(item, &format!("{path}/{key}"), out);
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    for (id, resource) in &template.resources {
        walk(
            &resource.properties,
            &format!("/Resources/{id}/Properties"),
            &mut out,
        );
    }
    for (key, output) in &template.outputs {
        walk(&output.value, &format!("/Outputs/{key}/Value"), &mut out);
    }
    out
}

/// What a value reads: the names its `Ref`s and `Fn::Sub` variables name (parameters,
/// resources, pseudo parameters), and the `(resource, attribute)` pairs its `Fn::GetAtt`s and
/// `${Resource.Attribute}` variables read.
pub fn references(value: &Value) -> (BTreeSet<String>, BTreeSet<(String, String)>) {
    let mut refs = Refs::default();
    collect(value, &mut refs);
    (refs.names, refs.reads)
}

/// The resources `logical_id` needs before it can be created.
pub fn dependencies(template: &Template, logical_id: &str) -> BTreeSet<String> {
    let Some(resource) = template.resources.get(logical_id) else {
        return BTreeSet::new();
    };
    let mut refs = Refs::default();
    collect(&resource.properties, &mut refs);
    refs.names
        .into_iter()
        .chain(refs.attributes)
        .chain(resource.depends_on.iter().cloned())
        .filter(|name| template.resources.contains_key(name))
        .collect()
}

/// Refuses references to nothing declared, and cycles (called when a template is read).
pub(crate) fn check_references(template: &Template) -> Result<(), TemplateError> {
    let known = |name: &str| {
        template.parameters.contains_key(name)
            || template.resources.contains_key(name)
            || PSEUDO.contains(&name)
    };
    let check = |refs: &Refs, block: &str| -> Result<(), TemplateError> {
        let missing: Vec<&str> = refs
            .names
            .iter()
            .map(String::as_str)
            .filter(|n| !known(n))
            .collect();
        if !missing.is_empty() {
            return Err(unresolved(&missing, block));
        }
        if let Some(resource) = refs
            .attributes
            .iter()
            .find(|r| !template.resources.contains_key(*r))
        {
            return Err(TemplateError::new(format!(
                "Template error: instance of Fn::GetAtt references undefined resource {resource}"
            )));
        }
        if let Some(condition) = refs
            .conditions
            .iter()
            .find(|c| !template.conditions.contains_key(*c))
        {
            return Err(TemplateError::new(format!(
                "Template error: unresolved condition dependency {condition} in Fn::If"
            )));
        }
        Ok(())
    };
    for resource in template.resources.values() {
        if let Some(condition) = &resource.condition
            && !template.conditions.contains_key(condition)
        {
            return Err(TemplateError::format(format!(
                "Unresolved condition dependencies [{condition}] in the Resources block of the template"
            )));
        }
        let mut refs = Refs::default();
        collect(&resource.properties, &mut refs);
        refs.names.extend(
            resource
                .depends_on
                .iter()
                .filter(|d| !template.resources.contains_key(*d))
                .cloned(),
        );
        check(&refs, "Resources")?;
    }
    for output in template.outputs.values() {
        let mut refs = Refs::default();
        collect(&output.value, &mut refs);
        if let Some(export) = &output.export_name {
            collect(export, &mut refs);
        }
        check(&refs, "Outputs")?;
    }
    creation_order(template, &template.resources.keys().cloned().collect())?;
    Ok(())
}

/// `included` in an order where every resource comes after those it depends on; ties in
/// name order. A cycle is AWS's `Circular dependency between resources`.
pub fn creation_order(
    template: &Template,
    included: &BTreeSet<String>,
) -> Result<Vec<String>, TemplateError> {
    let mut waiting: BTreeMap<&str, BTreeSet<String>> = included
        .iter()
        .map(|name| {
            let deps = dependencies(template, name)
                .into_iter()
                .filter(|d| included.contains(d))
                .collect();
            (name.as_str(), deps)
        })
        .collect();
    let mut order = Vec::with_capacity(waiting.len());
    while !waiting.is_empty() {
        let ready: Vec<&str> = waiting
            .iter()
            .filter(|(_, deps)| deps.is_empty())
            .map(|(name, _)| *name)
            .collect();
        if ready.is_empty() {
            let cycle: Vec<&str> = waiting.keys().copied().collect();
            return Err(TemplateError::new(format!(
                "Circular dependency between resources: [{}]",
                cycle.join(", ")
            )));
        }
        for name in ready {
            waiting.remove(name);
            for deps in waiting.values_mut() {
                deps.remove(name);
            }
            order.push(name.to_owned());
        }
    }
    Ok(order)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_follows_references_and_depends_on() {
        let t = Template::from_text(
            "Resources:\n  Policy:\n    Type: AWS::S3::BucketPolicy\n    Properties:\n      Bucket: !Ref Bucket\n      PolicyDocument:\n        Resource: !Sub '${Bucket.Arn}/*'\n  Bucket:\n    Type: AWS::S3::Bucket\n    DependsOn: Key\n  Key:\n    Type: AWS::KMS::Key\n",
        )
        .unwrap();
        let all = t.resources.keys().cloned().collect();
        assert_eq!(
            creation_order(&t, &all).unwrap(),
            ["Key", "Bucket", "Policy"]
        );
    }

    #[test]
    fn unknown_references_and_cycles_are_refused() {
        let e = |text: &str| Template::from_text(text).unwrap_err().0;
        assert_eq!(
            e(
                "Resources:\n  A:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: !Ref Nope\n"
            ),
            "Template format error: Unresolved resource dependencies [Nope] in the Resources block of the template"
        );
        assert_eq!(
            e("Resources:\n  A:\n    Type: AWS::S3::Bucket\n    DependsOn: Ghost\n"),
            "Template format error: Unresolved resource dependencies [Ghost] in the Resources block of the template"
        );
        assert_eq!(
            e(
                "Resources:\n  A:\n    Type: AWS::S3::Bucket\nOutputs:\n  O:\n    Value: !GetAtt Ghost.Arn\n"
            ),
            "Template error: instance of Fn::GetAtt references undefined resource Ghost"
        );
        assert_eq!(
            e(
                "Resources:\n  A:\n    Type: AWS::S3::Bucket\n    Properties:\n      X: !Ref B\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      X: !GetAtt A.Arn\n"
            ),
            "Circular dependency between resources: [A, B]"
        );
    }

    #[test]
    fn get_atts_are_found_with_their_paths() {
        let template = Template::from_text(
            "Resources:\n  A:\n    Type: AWS::S3::Bucket\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      Tags:\n        - Key: k\n          Value: !GetAtt A.Arn\nOutputs:\n  O:\n    Value: !GetAtt [A, Nope]\n",
        )
        .unwrap();
        let found = get_atts(&template);
        let paths: Vec<(&str, &str)> = found
            .iter()
            .map(|g| (g.path.as_str(), g.attribute.as_str()))
            .collect();
        assert_eq!(
            paths,
            [
                ("/Resources/B/Properties/Tags/0/Value/Fn::GetAtt", "Arn"),
                ("/Outputs/O/Value/Fn::GetAtt", "Nope"),
            ]
        );
    }
}
