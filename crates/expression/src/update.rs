//! Applying an UpdateExpression (or the legacy AttributeUpdates) to an item.
//!
//! All paths refer to the item as it was before the update: SET values are computed from
//! the old item, list indexes name old positions (so `REMOVE l[0], l[1]` removes the first
//! two elements), and SET/ADD to indexes past the end append in index order. Every check
//! runs before anything changes, so an error leaves the item untouched.

use std::collections::BTreeMap;

use strata_dynamodb_item::{AttributeValue, Item};

use crate::error::{ATTRIBUTE_DOES_NOT_EXIST, INCORRECT_OPERAND_TYPE, INVALID_DOCUMENT_PATH};
use crate::path::step;
use crate::{ExpressionError, Path, PathElement};

/// The legacy AttributeUpdates' message for ADD/DELETE on a value of another type.
const LEGACY_TYPE_MISMATCH: &str = "Type mismatch for attribute to update";

/// An operand of a SET value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum UpdateOperand {
    Path(Path),
    Value(AttributeValue),
    IfNotExists(Path, Box<UpdateOperand>),
    ListAppend(Box<UpdateOperand>, Box<UpdateOperand>),
}

/// The right-hand side of `SET path = …`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum SetValue {
    Operand(UpdateOperand),
    Plus(UpdateOperand, UpdateOperand),
    Minus(UpdateOperand, UpdateOperand),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Action {
    Set(Path, SetValue),
    Remove(Path),
    Add(Path, AttributeValue),
    Delete(Path, AttributeValue),
}

impl Action {
    fn path(&self) -> &Path {
        match self {
            Action::Set(path, _)
            | Action::Remove(path)
            | Action::Add(path, _)
            | Action::Delete(path, _) => path,
        }
    }
}

/// Which parameter the update came from; they differ in messages and in what ADD accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Style {
    Expression,
    /// AttributeUpdates: ADD also appends lists; type mismatches have their own message.
    Legacy,
}

/// An UpdateExpression or legacy AttributeUpdates, ready to apply.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Update {
    pub(crate) actions: Vec<Action>,
    pub(crate) style: Style,
}

/// What happens at one path.
enum Edit {
    Put(AttributeValue),
    Remove,
}

impl Update {
    /// Apply to `item` (empty when the item does not exist yet). All or nothing: on error
    /// the item is unchanged.
    pub fn apply(&self, item: &mut Item) -> Result<(), ExpressionError> {
        let original: &Item = item;
        // Like DynamoDB, compute every SET value first, then check the targets in order.
        let mut values = Vec::new();
        for action in &self.actions {
            if let Action::Set(_, value) = action {
                values.push(set_value(value, original)?);
            }
        }
        let mut values = values.into_iter();
        let mut edits = EditTree::default();
        for action in &self.actions {
            let path = action.path();
            if !parent_exists(original, path) {
                return Err(ExpressionError::validation(INVALID_DOCUMENT_PATH));
            }
            let existing = path.get(original);
            let edit = match action {
                Action::Set(..) => values.next().map(Edit::Put),
                Action::Remove(_) => Some(Edit::Remove),
                Action::Add(_, value) => Some(Edit::Put(self.add(existing, value)?)),
                Action::Delete(_, value) => self.delete(existing, value)?,
            };
            if let Some(edit) = edit {
                edits.insert(&path.0, edit);
            }
        }
        let mut updated = original.clone();
        edits.apply_to_map(&mut updated);
        *item = updated;
        Ok(())
    }

    /// Whether every action takes away (REMOVE, or DELETE from a set): such an update of a
    /// missing item leaves it missing instead of creating it with its key alone
    /// (alternator's test_item.py::test_update_item_non_existent, run against AWS).
    pub fn only_removes(&self) -> bool {
        !self.actions.is_empty()
            && self
                .actions
                .iter()
                .all(|a| matches!(a, Action::Remove(_) | Action::Delete(..)))
    }

    /// The paths this update writes, for ReturnValues UPDATED_OLD / UPDATED_NEW (project
    /// the old or new item by them).
    pub fn updated_paths(&self) -> Vec<Path> {
        self.actions.iter().map(|a| a.path().clone()).collect()
    }

    /// The top-level attributes this update writes (to refuse updates of key attributes).
    pub fn top_level_attributes(&self) -> Vec<&str> {
        let mut names: Vec<&str> = Vec::new();
        for action in &self.actions {
            if let Some(name) = action.path().top_level()
                && !names.contains(&name)
            {
                names.push(name);
            }
        }
        names
    }

    fn mismatch(&self) -> ExpressionError {
        ExpressionError::validation(match self.style {
            Style::Expression => INCORRECT_OPERAND_TYPE,
            Style::Legacy => LEGACY_TYPE_MISMATCH,
        })
    }

    /// ADD: numbers are summed, sets united (and, for AttributeUpdates, lists appended);
    /// a missing attribute starts from the value itself.
    fn add(
        &self,
        existing: Option<&AttributeValue>,
        value: &AttributeValue,
    ) -> Result<AttributeValue, ExpressionError> {
        use AttributeValue as V;
        let Some(existing) = existing else {
            return Ok(value.clone());
        };
        Ok(match (existing, value) {
            (V::N(a), V::N(b)) => V::N(
                a.checked_add(b)
                    .map_err(|e| ExpressionError::validation(e.to_string()))?,
            ),
            (V::Ss(a), V::Ss(b)) => V::Ss(union(a, b)),
            (V::Ns(a), V::Ns(b)) => V::Ns(union(a, b)),
            (V::Bs(a), V::Bs(b)) => V::Bs(union(a, b)),
            (V::L(a), V::L(b)) if self.style == Style::Legacy => {
                V::L(a.iter().chain(b).cloned().collect())
            }
            _ => return Err(self.mismatch()),
        })
    }

    /// DELETE: remove the members of a set; an emptied set is removed. Deleting from a
    /// missing attribute changes nothing.
    fn delete(
        &self,
        existing: Option<&AttributeValue>,
        value: &AttributeValue,
    ) -> Result<Option<Edit>, ExpressionError> {
        use AttributeValue as V;
        let Some(existing) = existing else {
            return Ok(None);
        };
        let remaining = match (existing, value) {
            (V::Ss(a), V::Ss(b)) => non_empty(difference(a, b)).map(V::Ss),
            (V::Ns(a), V::Ns(b)) => non_empty(difference(a, b)).map(V::Ns),
            (V::Bs(a), V::Bs(b)) => non_empty(difference(a, b)).map(V::Bs),
            _ => return Err(self.mismatch()),
        };
        Ok(Some(remaining.map_or(Edit::Remove, Edit::Put)))
    }
}

fn union<T: PartialEq + Clone>(existing: &[T], added: &[T]) -> Vec<T> {
    let mut out = existing.to_vec();
    for member in added {
        if !out.contains(member) {
            out.push(member.clone());
        }
    }
    out
}

fn difference<T: PartialEq + Clone>(existing: &[T], removed: &[T]) -> Vec<T> {
    existing
        .iter()
        .filter(|member| !removed.contains(member))
        .cloned()
        .collect()
}

fn non_empty<T>(members: Vec<T>) -> Option<Vec<T>> {
    (!members.is_empty()).then_some(members)
}

/// Whether the container the last step of `path` goes into exists with the right type.
fn parent_exists(item: &Item, path: &Path) -> bool {
    let Some((last, parents)) = path.0.split_last() else {
        return false;
    };
    let Some((first, rest)) = parents.split_first() else {
        return matches!(last, PathElement::Attribute(_));
    };
    let PathElement::Attribute(name) = first else {
        return false;
    };
    let mut parent = item.get(name);
    for element in rest {
        parent = parent.and_then(|value| step(value, element));
    }
    matches!(
        (parent, last),
        (Some(AttributeValue::M(_)), PathElement::Attribute(_))
            | (Some(AttributeValue::L(_)), PathElement::Index(_))
    )
}

fn set_value(value: &SetValue, item: &Item) -> Result<AttributeValue, ExpressionError> {
    match value {
        SetValue::Operand(operand) => evaluate(operand, item),
        SetValue::Plus(a, b) | SetValue::Minus(a, b) => {
            let a = number(evaluate(a, item)?)?;
            let b = number(evaluate(b, item)?)?;
            let result = if matches!(value, SetValue::Plus(..)) {
                a.checked_add(&b)
            } else {
                a.checked_sub(&b)
            };
            result
                .map(AttributeValue::N)
                .map_err(|e| ExpressionError::validation(e.to_string()))
        }
    }
}

fn number(value: AttributeValue) -> Result<strata_number::Number, ExpressionError> {
    match value {
        AttributeValue::N(number) => Ok(number),
        _ => Err(ExpressionError::validation(INCORRECT_OPERAND_TYPE)),
    }
}

fn evaluate(operand: &UpdateOperand, item: &Item) -> Result<AttributeValue, ExpressionError> {
    match operand {
        UpdateOperand::Path(path) => path
            .get(item)
            .cloned()
            .ok_or_else(|| ExpressionError::validation(ATTRIBUTE_DOES_NOT_EXIST)),
        UpdateOperand::Value(value) => Ok(value.clone()),
        UpdateOperand::IfNotExists(path, default) => match path.get(item) {
            Some(value) => Ok(value.clone()),
            None => evaluate(default, item),
        },
        UpdateOperand::ListAppend(a, b) => {
            let AttributeValue::L(mut list) = evaluate(a, item)? else {
                return Err(ExpressionError::validation(INCORRECT_OPERAND_TYPE));
            };
            let AttributeValue::L(tail) = evaluate(b, item)? else {
                return Err(ExpressionError::validation(INCORRECT_OPERAND_TYPE));
            };
            list.extend(tail);
            Ok(AttributeValue::L(list))
        }
    }
}

/// The edits of one update, arranged by path so each container is rebuilt once.
#[derive(Default)]
struct EditTree {
    children: BTreeMap<PathElement, Node>,
}

enum Node {
    Edit(Edit),
    Tree(EditTree),
}

impl EditTree {
    fn insert(&mut self, path: &[PathElement], edit: Edit) {
        let Some((first, rest)) = path.split_first() else {
            return;
        };
        if rest.is_empty() {
            self.children.insert(first.clone(), Node::Edit(edit));
            return;
        }
        let node = self
            .children
            .entry(first.clone())
            .or_insert_with(|| Node::Tree(EditTree::default()));
        if let Node::Edit(_) = node {
            // Paths of one update never overlap (checked at parse time); a later edit
            // below an earlier one simply replaces it.
            *node = Node::Tree(EditTree::default());
        }
        if let Node::Tree(tree) = node {
            tree.insert(rest, edit);
        }
    }

    fn apply_to_map(self, map: &mut BTreeMap<String, AttributeValue>) {
        for (element, node) in self.children {
            let PathElement::Attribute(key) = element else {
                continue;
            };
            match node {
                Node::Edit(Edit::Put(value)) => {
                    map.insert(key, value);
                }
                Node::Edit(Edit::Remove) => {
                    map.remove(&key);
                }
                Node::Tree(tree) => {
                    if let Some(child) = map.get_mut(&key) {
                        tree.apply_to_value(child);
                    }
                }
            }
        }
    }

    fn apply_to_value(self, value: &mut AttributeValue) {
        match value {
            AttributeValue::M(map) => self.apply_to_map(map),
            AttributeValue::L(list) => self.apply_to_list(list),
            _ => {}
        }
    }

    /// Indexes name positions in the old list: edits replace or drop old elements, and
    /// puts past the end are appended in index order.
    fn apply_to_list(mut self, list: &mut Vec<AttributeValue>) {
        let old = std::mem::take(list);
        let old_len = old.len();
        for (index, mut element) in old.into_iter().enumerate() {
            match self.children.remove(&PathElement::Index(index)) {
                None => list.push(element),
                Some(Node::Edit(Edit::Put(value))) => list.push(value),
                Some(Node::Edit(Edit::Remove)) => {}
                Some(Node::Tree(tree)) => {
                    tree.apply_to_value(&mut element);
                    list.push(element);
                }
            }
        }
        for (element, node) in self.children {
            if let (PathElement::Index(index), Node::Edit(Edit::Put(value))) = (element, node)
                && index >= old_len
            {
                list.push(value);
            }
        }
    }
}
