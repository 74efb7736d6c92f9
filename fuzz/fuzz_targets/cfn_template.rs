//! CloudFormation templates from arbitrary bytes: parsed (JSON or YAML with short tags) and
//! checked; whatever is a template gets parameter values (each default, else a fixed text),
//! its conditions evaluated, its resources ordered, its `Fn::GetAtt`s and references listed,
//! and every resource's properties and output resolved against a stack whose resources all
//! exist. Nothing may panic or hang.

#![no_main]

use std::collections::{BTreeMap, BTreeSet};

use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use strata_cfn_template::intrinsic::{self, Pseudo, Resources, Scope};
use strata_cfn_template::parameters::{self, Given};
use strata_cfn_template::{Template, TemplateError, conditions, graph};

/// Every resource exists, with a name and an `Arn`.
struct Everything;

impl Resources for Everything {
    fn reference(&self, logical_id: &str) -> Option<Value> {
        Some(Value::String(format!("{logical_id}-physical")))
    }
    fn attribute(&self, logical_id: &str, attribute: &str) -> Result<Value, TemplateError> {
        match attribute {
            "Arn" => Ok(Value::String(format!("arn:aws:s3:::{logical_id}"))),
            _ => Err(TemplateError::new("no such attribute")),
        }
    }
    fn export(&self, name: &str) -> Option<String> {
        (name.len() % 2 == 0).then(|| format!("exported-{name}"))
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(template) = Template::from_text(text) else {
        return;
    };
    let given: BTreeMap<String, Given> = template
        .parameters
        .iter()
        .filter(|(_, d)| d.default.is_none())
        .map(|(k, _)| (k.clone(), Given::Value("1".to_owned())))
        .collect();
    let Ok(values) = parameters::resolve(&template.parameters, &given, &BTreeMap::new()) else {
        return;
    };
    let pseudo = Pseudo {
        account_id: "111111111111".into(),
        region: "us-east-1".into(),
        stack_name: "fuzz".into(),
        stack_id: "arn:aws:cloudformation:us-east-1:111111111111:stack/fuzz/id".into(),
        notification_arns: vec![],
    };
    let Ok(outcomes) = conditions::evaluate(&template, &values, &pseudo) else {
        return;
    };
    let all: BTreeSet<String> = template.resources.keys().cloned().collect();
    let _ = graph::creation_order(&template, &all);
    let _ = graph::get_atts(&template);
    for resource in template.resources.values() {
        let _ = graph::references(&resource.properties);
    }
    let scope = Scope {
        template: &template,
        parameters: &values,
        pseudo: &pseudo,
        conditions: &outcomes,
        resources: &Everything,
    };
    for resource in template.resources.values() {
        let _ = intrinsic::evaluate(&scope, &resource.properties);
    }
    for output in template.outputs.values() {
        let _ = intrinsic::evaluate(&scope, &output.value);
    }
});
