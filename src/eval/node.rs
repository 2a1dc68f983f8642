//! A YAML tree with a source line for every node, so that schema errors and semantic
//! errors in lesson files can say `file:line`.

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Value;
use serde_saphyr::Spanned;

/// A YAML value; children carry their locations.
#[derive(Debug, Clone)]
pub enum Node {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<SNode>),
    Map(Vec<(Spanned<String>, SNode)>),
}

/// A node with its location.
pub type SNode = Spanned<Node>;

/// 1-based line of a spanned node.
pub fn line_of<T>(n: &Spanned<T>) -> usize {
    n.referenced.line().max(1) as usize
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Node;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("any YAML value")
            }
            fn visit_unit<E>(self) -> Result<Node, E> {
                Ok(Node::Null)
            }
            fn visit_none<E>(self) -> Result<Node, E> {
                Ok(Node::Null)
            }
            fn visit_some<D2: Deserializer<'de>>(self, d: D2) -> Result<Node, D2::Error> {
                Node::deserialize(d)
            }
            fn visit_bool<E>(self, v: bool) -> Result<Node, E> {
                Ok(Node::Bool(v))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Node, E> {
                Ok(Node::Int(v))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Node, E> {
                Ok(i64::try_from(v)
                    .map(Node::Int)
                    .unwrap_or(Node::Float(v as f64)))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Node, E> {
                Ok(Node::Float(v))
            }
            fn visit_str<E>(self, v: &str) -> Result<Node, E> {
                Ok(Node::Str(v.to_string()))
            }
            fn visit_string<E>(self, v: String) -> Result<Node, E> {
                Ok(Node::Str(v))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
                let mut out = Vec::new();
                while let Some(x) = seq.next_element::<SNode>()? {
                    out.push(x);
                }
                Ok(Node::Seq(out))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
                let mut out = Vec::new();
                while let Some(k) = map.next_key::<Spanned<String>>()? {
                    let v = map.next_value::<SNode>()?;
                    out.push((k, v));
                }
                Ok(Node::Map(out))
            }
        }
        d.deserialize_any(V)
    }
}

impl Node {
    /// The plain JSON value (for schema validation).
    pub fn to_json(&self) -> Value {
        match self {
            Node::Null => Value::Null,
            Node::Bool(b) => Value::Bool(*b),
            Node::Int(i) => Value::from(*i),
            Node::Float(f) => serde_json::Number::from_f64(*f)
                .map(Value::Number)
                .unwrap_or(Value::Null),
            Node::Str(s) => Value::String(s.clone()),
            Node::Seq(v) => Value::Array(v.iter().map(|n| n.value.to_json()).collect()),
            Node::Map(m) => Value::Object(
                m.iter()
                    .map(|(k, v)| (k.value.clone(), v.value.to_json()))
                    .collect(),
            ),
        }
    }

    pub fn get(&self, key: &str) -> Option<&SNode> {
        match self {
            Node::Map(m) => m.iter().find(|(k, _)| k.value == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The string value under `key` of a mapping, if it is a string.
    pub fn get_str(&self, key: &str) -> Option<&str> {
        self.get(key).and_then(|v| v.value.as_str())
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Node::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Node::Int(i) => Some(*i as f64),
            Node::Float(f) => Some(*f),
            _ => None,
        }
    }

    pub fn as_seq(&self) -> Option<&[SNode]> {
        match self {
            Node::Seq(v) => Some(v),
            _ => None,
        }
    }
}

/// The line of the deepest node reachable along a JSON pointer (`/prompts/0/id`).
pub fn line_at_pointer(root: &SNode, pointer: &str) -> usize {
    let mut cur = root;
    let mut line = line_of(root);
    for seg in pointer.split('/').skip(1) {
        let seg = seg.replace("~1", "/").replace("~0", "~");
        let next = match &cur.value {
            Node::Map(m) => m.iter().find(|(k, _)| k.value == seg).map(|(k, v)| {
                // A value on a later line than its key (block) still reads best at the key
                // for scalars; for containers the value line is where the content starts.
                if matches!(v.value, Node::Map(_) | Node::Seq(_)) {
                    v
                } else {
                    line = line_of(k);
                    v
                }
            }),
            Node::Seq(v) => seg.parse::<usize>().ok().and_then(|i| v.get(i)),
            _ => None,
        };
        match next {
            Some(n) => {
                cur = n;
                if !matches!(n.value, Node::Null) {
                    line = line_of(n);
                }
            }
            None => break,
        }
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nodes_carry_lines_and_pointer_lookup_finds_them() {
        let y = "a: 1\nlist:\n  - x: hello\n  - x: world\n    y: [1, 2]\n";
        let n: SNode = serde_saphyr::from_str(y).unwrap();
        assert_eq!(line_at_pointer(&n, "/list/1/y"), 5);
        assert_eq!(line_at_pointer(&n, "/list/1/x"), 4);
        assert_eq!(line_at_pointer(&n, "/list/0"), 3);
        assert_eq!(line_at_pointer(&n, "/missing"), 1);
        assert_eq!(n.value.to_json()["list"][1]["y"][1], 2);
    }
}
