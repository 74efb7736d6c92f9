//! Checking a parsed UpdateExpression and building its actions.
//!
//! Precedence of problems, highest first: too deep a path, too many operators, a reserved
//! word, an unknown function, a repeated clause, an undefined name, an undefined value,
//! overlapping paths, conflicting paths, a wrong ADD/DELETE operand type, then a function
//! or arithmetic problem (operand count, document path, operand type).

use strata_dynamodb_item::AttributeValue;

use super::condition::too_many_operators;
use super::{DistinctPaths, PathSlots, first_error, note, resolve_path};
use crate::ExpressionAttributes;
use crate::Path;
use crate::error::{
    INVALID_FUNCTION, NEEDS_PATH, NOT_IN_UPDATE, OPERAND_COUNT, OPERAND_TYPE, UNDEFINED_VALUE,
};
use crate::parser::raw::{RawAction, RawFunction, RawOperand, RawPath, RawSection, RawSetValue};
use crate::update::{Action, SetValue, UpdateOperand};

const SECTION_TWICE_START: &str = "The \"";
const SECTION_TWICE_END: &str = "\" section can only be used once in an update expression;";
const ADD_DELETE_OPERAND: &str = "Incorrect operand type for operator or function; operator: ";

pub(crate) fn check_update(
    sections: &[RawSection],
    attributes: &mut ExpressionAttributes,
) -> Result<Vec<Action>, String> {
    let mut checker = Checker {
        attributes,
        too_deep: None,
        reserved: None,
        unknown_function: None,
        section: None,
        undefined_name: None,
        undefined_value: None,
        paths: DistinctPaths::default(),
        operand: None,
        function: None,
        operators: 0,
    };
    let mut seen = Vec::new();
    let mut actions = Vec::new();
    let mut complete = true;
    for section in sections {
        for raw in &section.actions {
            match checker.action(raw) {
                Some(action) => actions.push(action),
                None => complete = false,
            }
        }
        if seen.contains(&section.clause) {
            note(&mut checker.section, || {
                format!(
                    "{SECTION_TWICE_START}{}{SECTION_TWICE_END}",
                    section.clause.keyword()
                )
            });
        }
        seen.push(section.clause);
    }
    let too_many = too_many_operators(checker.operators);
    if let Some(message) = first_error(&[
        &checker.too_deep,
        &too_many,
        &checker.reserved,
        &checker.unknown_function,
        &checker.section,
        &checker.undefined_name,
        &checker.undefined_value,
        &checker.paths.overlap,
        &checker.paths.conflict,
        &checker.operand,
        &checker.function,
    ]) {
        return Err(message);
    }
    if complete {
        Ok(actions)
    } else {
        // Every way of not building an action notes a problem; this is a safety net.
        Err(format!("{INVALID_FUNCTION}unknown"))
    }
}

struct Checker<'a> {
    attributes: &'a mut ExpressionAttributes,
    too_deep: Option<String>,
    reserved: Option<String>,
    unknown_function: Option<String>,
    section: Option<String>,
    undefined_name: Option<String>,
    undefined_value: Option<String>,
    paths: DistinctPaths,
    operand: Option<String>,
    function: Option<String>,
    operators: usize,
}

/// A checked operand and what its context's checks need to know.
struct Checked {
    operand: Option<UpdateOperand>,
    path: Option<Path>,
    is_path: bool,
    /// The type of a `:value` operand itself.
    value_type: Option<&'static str>,
}

impl Checker<'_> {
    fn action(&mut self, raw: &RawAction) -> Option<Action> {
        match raw {
            RawAction::Set(target, value) => {
                let target = self.path(target);
                let value = self.set_value(value);
                if let Some(path) = &target {
                    self.paths.add(path);
                }
                Some(Action::Set(target?, value?))
            }
            RawAction::Remove(target) => {
                let target = self.path(target);
                if let Some(path) = &target {
                    self.paths.add(path);
                }
                Some(Action::Remove(target?))
            }
            RawAction::Add(target, key) | RawAction::Delete(target, key) => {
                let add = matches!(raw, RawAction::Add(..));
                let target = self.path(target);
                let value = self.value(key);
                if let Some(path) = &target {
                    self.paths.add(path);
                }
                if let Some(value) = &value {
                    self.check_add_delete_operand(if add { "ADD" } else { "DELETE" }, value);
                }
                let (target, value) = (target?, value?);
                Some(if add {
                    Action::Add(target, value)
                } else {
                    Action::Delete(target, value)
                })
            }
        }
    }

    fn path(&mut self, raw: &RawPath) -> Option<Path> {
        resolve_path(
            raw,
            self.attributes,
            PathSlots {
                reserved: &mut self.reserved,
                undefined_name: &mut self.undefined_name,
                too_deep: &mut self.too_deep,
            },
        )
    }

    fn value(&mut self, key: &str) -> Option<AttributeValue> {
        let value = self.attributes.value(key);
        if value.is_none() {
            note(&mut self.undefined_value, || {
                format!("{UNDEFINED_VALUE}{key}")
            });
        }
        value
    }

    /// ADD takes a number or a set, DELETE only a set.
    fn check_add_delete_operand(&mut self, operator: &str, value: &AttributeValue) {
        use AttributeValue as V;
        let described = match value {
            V::S(_) => "STRING",
            V::N(_) if operator == "ADD" => return,
            V::N(_) => "NUMBER",
            V::B(_) => "BINARY",
            V::Null => "NULL",
            V::Bool(_) => "BOOLEAN",
            V::L(_) => "LIST",
            V::M(_) => "MAP",
            V::Ss(_) | V::Ns(_) | V::Bs(_) => return,
        };
        note(&mut self.operand, || {
            format!("{ADD_DELETE_OPERAND}{operator}, operand type: {described}")
        });
    }

    fn set_value(&mut self, raw: &RawSetValue) -> Option<SetValue> {
        match raw {
            RawSetValue::Operand(operand) => self.operand(operand).operand.map(SetValue::Operand),
            RawSetValue::Plus(a, b) | RawSetValue::Minus(a, b) => {
                self.operators += 1;
                let plus = matches!(raw, RawSetValue::Plus(..));
                let a = self.operand(a);
                let b = self.operand(b);
                let symbol = if plus { "+" } else { "-" };
                self.expect_types(symbol, "N", &[&a, &b]);
                let (a, b) = (a.operand?, b.operand?);
                Some(if plus {
                    SetValue::Plus(a, b)
                } else {
                    SetValue::Minus(a, b)
                })
            }
        }
    }

    /// Values given directly to `name` must be of type `expected`.
    fn expect_types(&mut self, name: &str, expected: &str, args: &[&Checked]) {
        if let Some(found) = args
            .iter()
            .find_map(|arg| arg.value_type.filter(|t| *t != expected))
        {
            note(&mut self.function, || {
                format!("{OPERAND_TYPE}{name}, operand type: {found}")
            });
        }
    }

    fn operand(&mut self, raw: &RawOperand) -> Checked {
        crate::stack::deeper(|| self.operand_here(raw))
    }

    fn operand_here(&mut self, raw: &RawOperand) -> Checked {
        match raw {
            RawOperand::Path(raw_path) => {
                let path = self.path(raw_path);
                Checked {
                    operand: path.clone().map(UpdateOperand::Path),
                    path,
                    is_path: true,
                    value_type: None,
                }
            }
            RawOperand::Value(key) => {
                let value = self.value(key);
                Checked {
                    value_type: value.as_ref().map(AttributeValue::type_name),
                    operand: value.map(UpdateOperand::Value),
                    path: None,
                    is_path: false,
                }
            }
            RawOperand::Function(function) => Checked {
                operand: self.function(function),
                path: None,
                is_path: false,
                value_type: None,
            },
        }
    }

    fn function(&mut self, raw: &RawFunction) -> Option<UpdateOperand> {
        self.operators += 1;
        let args: Vec<Checked> = raw.args.iter().map(|a| self.operand(a)).collect();
        let name = raw.name.as_str();
        if name != "if_not_exists" && name != "list_append" {
            // A condition's functions are known but refused here; UNCONFIRMED wording, the
            // condition-side counterpart of AWS's "not allowed in a condition expression".
            if super::condition::condition_function_arity(name).is_some() {
                note(&mut self.unknown_function, || {
                    format!("{NOT_IN_UPDATE}{name}")
                });
            } else {
                note(&mut self.unknown_function, || {
                    format!("{INVALID_FUNCTION}{name}")
                });
            }
            return None;
        }
        if args.len() != 2 {
            note(&mut self.function, || {
                format!("{OPERAND_COUNT}{name}, number of operands: {}", args.len())
            });
            return None;
        }
        let mut args = args.into_iter();
        let (first, second) = (args.next()?, args.next()?);
        if name == "if_not_exists" {
            if !first.is_path {
                note(&mut self.function, || format!("{NEEDS_PATH}{name}"));
                return None;
            }
            return Some(UpdateOperand::IfNotExists(
                first.path?,
                Box::new(second.operand?),
            ));
        }
        self.expect_types(name, "L", &[&first, &second]);
        Some(UpdateOperand::ListAppend(
            Box::new(first.operand?),
            Box::new(second.operand?),
        ))
    }
}
