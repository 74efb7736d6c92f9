//! The evaluated form of a condition: paths resolved, values substituted, functions
//! checked. Built by the expression parser and by the legacy parameters alike.

use strata_dynamodb_item::AttributeValue;

use crate::Path;

/// `=`, `<>`, `<`, `<=`, `>`, `>=`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Comparator {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl Comparator {
    pub(crate) fn symbol(self) -> &'static str {
        match self {
            Comparator::Eq => "=",
            Comparator::Ne => "<>",
            Comparator::Lt => "<",
            Comparator::Le => "<=",
            Comparator::Gt => ">",
            Comparator::Ge => ">=",
        }
    }

    /// The comparator with its operands swapped (`:v < a` is `a > :v`).
    pub(crate) fn flipped(self) -> Comparator {
        match self {
            Comparator::Lt => Comparator::Gt,
            Comparator::Le => Comparator::Ge,
            Comparator::Gt => Comparator::Lt,
            Comparator::Ge => Comparator::Le,
            other => other,
        }
    }
}

/// Something a condition compares.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Operand {
    Path(Path),
    Value(AttributeValue),
    /// `size(…)`: only ever an operand, never a condition.
    Size(Box<Operand>),
}

/// The functions that are conditions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Function {
    AttributeExists(Path),
    AttributeNotExists(Path),
    /// `attribute_type(operand, :t)`; the type name is checked at parse time.
    AttributeType(Operand, String),
    BeginsWith(Operand, Operand),
    Contains(Operand, Operand),
}

impl Function {
    pub(crate) fn name(&self) -> &'static str {
        match self {
            Function::AttributeExists(_) => "attribute_exists",
            Function::AttributeNotExists(_) => "attribute_not_exists",
            Function::AttributeType(..) => "attribute_type",
            Function::BeginsWith(..) => "begins_with",
            Function::Contains(..) => "contains",
        }
    }
}

/// A condition tree. `And`/`Or` hold two or more operands (never empty).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Expr {
    And(Vec<Expr>),
    Or(Vec<Expr>),
    Not(Box<Expr>),
    Compare(Comparator, Operand, Operand),
    Between(Operand, Operand, Operand),
    In(Operand, Vec<Operand>),
    Function(Function),
}

/// A ConditionExpression, FilterExpression or the legacy Expected/QueryFilter/ScanFilter,
/// ready to evaluate against items.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Condition(pub(crate) Expr);

impl Condition {
    /// The top-level attributes the condition refers to, each once, in order of first
    /// use (for the engine's checks such as "Filter Expression can only contain
    /// non-primary key attributes").
    pub fn top_level_attributes(&self) -> Vec<&str> {
        let mut names = Vec::new();
        self.0.visit_paths(&mut |path| {
            if let Some(name) = path.top_level()
                && !names.contains(&name)
            {
                names.push(name);
            }
        });
        names
    }
}

impl Expr {
    fn visit_paths<'a>(&'a self, visit: &mut impl FnMut(&'a Path)) {
        match self {
            Expr::And(items) | Expr::Or(items) => {
                for item in items {
                    item.visit_paths(visit);
                }
            }
            Expr::Not(inner) => inner.visit_paths(visit),
            Expr::Compare(_, a, b) => {
                a.visit_paths(visit);
                b.visit_paths(visit);
            }
            Expr::Between(a, b, c) => {
                for operand in [a, b, c] {
                    operand.visit_paths(visit);
                }
            }
            Expr::In(a, list) => {
                a.visit_paths(visit);
                for operand in list {
                    operand.visit_paths(visit);
                }
            }
            Expr::Function(function) => match function {
                Function::AttributeExists(path) | Function::AttributeNotExists(path) => visit(path),
                Function::AttributeType(operand, _) => operand.visit_paths(visit),
                Function::BeginsWith(a, b) | Function::Contains(a, b) => {
                    a.visit_paths(visit);
                    b.visit_paths(visit);
                }
            },
        }
    }
}

impl Operand {
    fn visit_paths<'a>(&'a self, visit: &mut impl FnMut(&'a Path)) {
        match self {
            Operand::Path(path) => visit(path),
            Operand::Value(_) => {}
            Operand::Size(inner) => inner.visit_paths(visit),
        }
    }
}
