//! The syntax trees the grammars produce: names and values still unresolved (`#n`, `:v`),
//! functions still by name. The checks in `crate::check` turn them into the evaluated
//! trees, reporting errors in AWS's order of precedence.

use crate::ast::Comparator;

/// One step of a path as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum RawElement {
    /// A bare attribute name (checked against the reserved words).
    Ident(String),
    /// `#name`, substituted from ExpressionAttributeNames.
    Name(String),
    Index(usize),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct RawPath(pub(crate) Vec<RawElement>);

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct RawFunction {
    pub(crate) name: String,
    pub(crate) args: Vec<RawOperand>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum RawOperand {
    Path(RawPath),
    /// `:value`
    Value(String),
    Function(RawFunction),
}

/// A condition as written. `And`/`Or` hold two or more operands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum RawCondition {
    Or(Vec<RawCondition>),
    And(Vec<RawCondition>),
    Not(Box<RawCondition>),
    Compare(Comparator, RawOperand, RawOperand),
    Between(RawOperand, RawOperand, RawOperand),
    In(RawOperand, Vec<RawOperand>),
    Function(RawFunction),
}

/// The right-hand side of `SET path = …`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum RawSetValue {
    Operand(RawOperand),
    Plus(RawOperand, RawOperand),
    Minus(RawOperand, RawOperand),
}

/// The four clauses of an UpdateExpression.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Clause {
    Set,
    Remove,
    Add,
    Delete,
}

impl Clause {
    pub(crate) fn keyword(self) -> &'static str {
        match self {
            Clause::Set => "SET",
            Clause::Remove => "REMOVE",
            Clause::Add => "ADD",
            Clause::Delete => "DELETE",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum RawAction {
    Set(RawPath, RawSetValue),
    Remove(RawPath),
    Add(RawPath, String),
    Delete(RawPath, String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct RawSection {
    pub(crate) clause: Clause,
    pub(crate) actions: Vec<RawAction>,
}
