//! What a new template (or new parameter values) would change in a stack: the `Changes` of
//! a change set, computed when it is created and kept with it (spec cloudformation §3).
//!
//! A resource is listed when its properties change (`DirectModification`, or
//! `ParameterReference` when only a parameter's value moved them), when it reads an attribute
//! of a resource being modified (`ResourceAttribute`, `Dynamic`), or when it refers to a
//! resource being replaced (`ResourceReference`, `Dynamic`): what may change can only be
//! known when the change set runs (API reference, ResourceChangeDetail).

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use serde_json::Value;
use strata_cfn_template::{Template, graph};
use strata_cloudformation::{Stack, Tag};

use super::error::Result;
use super::model::{Change, ResourceChange, ResourceChangeDetail, ResourceTargetDefinition};
use super::operation::{plan, resolve, resolved_outputs};
use super::resources;
use crate::App;

/// A change as a change set keeps it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(super) struct StoredChange {
    action: String,
    logical_id: String,
    physical_id: Option<String>,
    resource_type: String,
    replacement: Option<String>,
    details: Vec<StoredDetail>,
    /// The resource attributes changed besides its properties (`DeletionPolicy`, …).
    #[serde(default)]
    attributes: Vec<String>,
}

/// One of a change's details. Change sets stored before `change_source` was kept hold
/// `[name, recreation, evaluation]`, read as a direct modification.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct StoredDetail {
    name: String,
    recreation: String,
    evaluation: String,
    #[serde(default = "direct_modification")]
    change_source: String,
    #[serde(default)]
    causing_entity: Option<String>,
    /// `Properties`, or `Tags` for a change the stack's tags make.
    #[serde(default = "properties_attribute")]
    attribute: String,
}

fn direct_modification() -> String {
    "DirectModification".to_owned()
}

fn properties_attribute() -> String {
    "Properties".to_owned()
}

impl StoredDetail {
    fn new(name: &str, recreation: &str, evaluation: &str, source: &str) -> Self {
        Self {
            attribute: properties_attribute(),
            name: name.to_owned(),
            recreation: recreation.to_owned(),
            evaluation: evaluation.to_owned(),
            change_source: source.to_owned(),
            causing_entity: None,
        }
    }

    fn caused_by(mut self, entity: String) -> Self {
        self.causing_entity = Some(entity);
        self
    }
}

impl StoredChange {
    fn added(logical_id: &str, resource_type: &str) -> Self {
        Self {
            action: "Add".to_owned(),
            logical_id: logical_id.to_owned(),
            physical_id: None,
            resource_type: resource_type.to_owned(),
            replacement: None,
            details: Vec::new(),
            attributes: Vec::new(),
        }
    }

    pub(super) fn rendered(self) -> Change {
        let mut scope = self.attributes.clone();
        for attribute in ["Tags", "Properties"] {
            if self.details.iter().any(|d| d.attribute == attribute) {
                scope.insert(0, attribute.to_owned());
            }
        }
        Change {
            change_type: "Resource",
            resource_change: ResourceChange {
                action: self.action,
                logical_resource_id: self.logical_id,
                physical_resource_id: self.physical_id,
                resource_type: self.resource_type,
                replacement: self.replacement,
                scope: scope.into(),
                details: self
                    .details
                    .into_iter()
                    .map(|d| ResourceChangeDetail {
                        target: ResourceTargetDefinition {
                            name: (d.attribute == "Properties").then_some(d.name),
                            attribute: d.attribute,
                            requires_recreation: d.recreation,
                        },
                        evaluation: d.evaluation,
                        change_source: d.change_source,
                        causing_entity: d.causing_entity,
                    })
                    .collect::<Vec<_>>()
                    .into(),
            },
        }
    }
}

/// The stack as the new template, values and tags (when given) would make it (nothing
/// applied yet).
fn proposed(
    stack: &Stack,
    text: &str,
    values: &BTreeMap<String, String>,
    tags: Option<&[Tag]>,
) -> Stack {
    let mut next = stack.clone();
    next.template_body = text.to_owned();
    next.parameters = values.clone();
    if let Some(tags) = tags {
        next.tags = tags.to_vec();
    }
    next
}

/// Whether a change of property `key` of a `resource_type` (from `before`) needs a new
/// resource: `Always` or `Never`.
fn recreation(
    resource_type: &str,
    key: &str,
    before: Option<&Value>,
    after: Option<&Value>,
) -> &'static str {
    let before = serde_json::json!({ key: before });
    // A change whose value is not known yet is judged as some other value.
    let after =
        serde_json::json!({ key: after.cloned().unwrap_or(Value::String("\u{0}".to_owned())) });
    if resources::requires_replacement(resource_type, &before, &after) {
        "Always"
    } else {
        "Never"
    }
}

/// What applying `text` with `values` (and `tags`, when given) to `stack` would change, and
/// whether its outputs would (an outputs-only change counts as a change: UNCONFIRMED, spec
/// §3).
pub(super) fn changes(
    app: &App,
    stack: &Stack,
    text: &str,
    values: &BTreeMap<String, String>,
    tags: Option<&[Tag]>,
) -> Result<(Vec<StoredChange>, bool)> {
    let next = proposed(stack, text, values, tags);
    let new_plan = plan(&next)?;
    let old_template = Template::from_text(&stack.template_body).ok();
    let moved: BTreeSet<&String> = values
        .iter()
        .filter(|(k, v)| stack.parameters.get(*k) != Some(*v))
        .map(|(k, _)| k)
        .collect();
    // The resources this change modifies, and how (`True`, `False`, `Conditional`), as
    // their dependents come after them in creation order.
    let mut modified: BTreeMap<String, &'static str> = BTreeMap::new();
    let mut out = Vec::new();
    for logical_id in &new_plan.order {
        let definition = &new_plan.template.resources[logical_id];
        let resource_type = definition.resource_type.clone();
        let existing = stack
            .resources
            .get(logical_id)
            .filter(|r| r.physical_id.is_some() && r.status != "DELETE_COMPLETE");
        let Some(existing) = existing else {
            out.push(StoredChange::added(logical_id, &resource_type));
            continue;
        };
        let Ok(properties) = resolve(app, &next, &new_plan, logical_id) else {
            // It reads a resource the change itself replaces or adds.
            modified.insert(logical_id.clone(), "Conditional");
            out.push(StoredChange {
                action: "Modify".to_owned(),
                logical_id: logical_id.clone(),
                physical_id: existing.physical_id.clone(),
                resource_type,
                replacement: Some("Conditional".to_owned()),
                details: Vec::new(),
                attributes: Vec::new(),
            });
            continue;
        };
        let raw_old = old_template
            .as_ref()
            .and_then(|t| t.resources.get(logical_id))
            .map(|r| &r.properties);
        let raw_new = &definition.properties;
        let mut keys: Vec<String> = [
            Some(&properties),
            Some(&existing.properties),
            raw_old,
            Some(raw_new),
        ]
        .into_iter()
        .flatten()
        .filter_map(Value::as_object)
        .flat_map(|m| m.keys().cloned())
        .collect();
        keys.sort();
        keys.dedup();
        let mut details = Vec::new();
        for key in &keys {
            let (before, after) = (existing.properties.get(key), properties.get(key));
            let raw = raw_new.get(key).cloned().unwrap_or(Value::Null);
            let (names, reads) = graph::references(&raw);
            let needs = recreation(&resource_type, key, before, after);
            if before != after {
                let raw_changed = raw_old.and_then(|r| r.get(key)) != raw_new.get(key);
                let causes: Vec<&String> = names.iter().filter(|n| moved.contains(n)).collect();
                if key == "Tags" && !raw_changed && causes.is_empty() && next.tags != stack.tags {
                    // Made by the stack's tags, which reach the resource's.
                    let mut detail =
                        StoredDetail::new(key, "Never", "Static", "DirectModification");
                    detail.attribute = "Tags".to_owned();
                    details.push(detail);
                } else if raw_changed || causes.is_empty() {
                    details.push(StoredDetail::new(
                        key,
                        needs,
                        "Static",
                        "DirectModification",
                    ));
                } else {
                    // Moved by a parameter's new value (LocalStack's AWS-recorded
                    // TestChangeSetDiff test_dynamic_change).
                    for cause in causes {
                        details.push(
                            StoredDetail::new(key, needs, "Static", "ParameterReference")
                                .caused_by(cause.clone()),
                        );
                    }
                    details.push(StoredDetail::new(
                        key,
                        needs,
                        "Dynamic",
                        "DirectModification",
                    ));
                }
            }
            let dynamic_needs = recreation(&resource_type, key, before, None);
            for name in &names {
                if matches!(modified.get(name), Some(&"True" | &"Conditional")) {
                    details.push(
                        StoredDetail::new(key, dynamic_needs, "Dynamic", "ResourceReference")
                            .caused_by(name.clone()),
                    );
                }
            }
            for (resource, attribute) in &reads {
                if modified.contains_key(resource) {
                    details.push(
                        StoredDetail::new(key, dynamic_needs, "Dynamic", "ResourceAttribute")
                            .caused_by(format!("{resource}.{attribute}")),
                    );
                }
            }
        }
        let retyped = existing.resource_type != resource_type;
        if details.is_empty() && !retyped {
            // Only its DeletionPolicy or UpdateReplacePolicy may change: still a change,
            // or the new policy would never be stored (spec §3 Scope).
            let policies = |t: Option<&Template>| {
                t.and_then(|t| t.resources.get(logical_id))
                    .map(|r| (r.deletion_policy.clone(), r.update_replace_policy.clone()))
            };
            let (before, after) = (
                policies(old_template.as_ref()),
                policies(Some(&new_plan.template)),
            );
            if before == after {
                continue;
            }
            let (before, after) = (before.unwrap_or_default(), after.unwrap_or_default());
            let mut attributes = Vec::new();
            if before.0 != after.0 {
                attributes.push("DeletionPolicy".to_owned());
            }
            if before.1 != after.1 {
                attributes.push("UpdateReplacePolicy".to_owned());
            }
            // Its attributes stay what they are: readers of them are not listed.
            out.push(StoredChange {
                action: "Modify".to_owned(),
                logical_id: logical_id.clone(),
                physical_id: existing.physical_id.clone(),
                resource_type,
                replacement: Some("False".to_owned()),
                details: Vec::new(),
                attributes,
            });
            continue;
        }
        let replacement = if retyped
            || resources::requires_replacement(&resource_type, &existing.properties, &properties)
        {
            "True"
        } else if details
            .iter()
            .any(|d| d.evaluation == "Dynamic" && d.recreation == "Always")
        {
            "Conditional"
        } else {
            "False"
        };
        modified.insert(logical_id.clone(), replacement);
        out.push(StoredChange {
            action: "Modify".to_owned(),
            logical_id: logical_id.clone(),
            physical_id: existing.physical_id.clone(),
            resource_type,
            replacement: Some(replacement.to_owned()),
            details,
            attributes: Vec::new(),
        });
    }
    for (logical_id, resource) in &stack.resources {
        if resource.physical_id.is_some() && !new_plan.order.contains(logical_id) {
            out.push(StoredChange {
                action: "Remove".to_owned(),
                logical_id: logical_id.clone(),
                physical_id: resource.physical_id.clone(),
                resource_type: resource.resource_type.clone(),
                replacement: None,
                details: Vec::new(),
                attributes: Vec::new(),
            });
        }
    }
    let outputs_changed = match resolved_outputs(app, &next, &new_plan) {
        Ok(outputs) => outputs != stack.outputs,
        Err(_) => true,
    };
    Ok((out, outputs_changed))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_detail_stored_before_its_source_was_kept_reads_as_a_direct_modification() {
        let old: StoredDetail =
            serde_json::from_value(serde_json::json!(["BucketName", "Always", "Static"])).unwrap();
        assert_eq!(
            (
                old.name.as_str(),
                old.recreation.as_str(),
                old.evaluation.as_str()
            ),
            ("BucketName", "Always", "Static")
        );
        assert_eq!(
            (old.change_source.as_str(), old.attribute.as_str()),
            ("DirectModification", "Properties")
        );
        assert_eq!(old.causing_entity, None);
    }
}
