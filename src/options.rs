//! Reading configuration and argument objects (JSON values handed over from JS). Error messages
//! name the field, never echo its value: a value may be a key.

use serde_json::{Map, Value};
#[cfg(any(target_arch = "wasm32", test))]
use zeroize::Zeroize;

use crate::error::{Error, Result};

/// An object's fields, with typed accessors that explain what is wrong.
pub struct Fields<'a> {
    what: &'a str,
    map: &'a Map<String, Value>,
}

impl<'a> Fields<'a> {
    pub fn of(value: &'a Value, what: &'a str) -> Result<Fields<'a>> {
        value
            .as_object()
            .map(|map| Fields { what, map })
            .ok_or_else(|| Error::bad_input(format!("{what} must be an object")))
    }

    /// A string field; absent, `null` and `""` all read as `None`.
    pub fn str(&self, name: &str) -> Result<Option<&'a str>> {
        match self.map.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) if s.is_empty() => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(Error::bad_input(format!("{}.{name} must be a string", self.what))),
        }
    }

    pub fn required_str(&self, name: &str) -> Result<&'a str> {
        self.str(name)?.ok_or_else(|| Error::bad_input(format!("{}.{name} is required", self.what)))
    }

    pub fn bool(&self, name: &str) -> Result<Option<bool>> {
        match self.map.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(_) => Err(Error::bad_input(format!("{}.{name} must be a boolean", self.what))),
        }
    }

    /// A number field (epoch milliseconds and the like).
    pub fn number(&self, name: &str) -> Result<Option<f64>> {
        match self.map.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(n)) => {
                n.as_f64().map(Some).ok_or_else(|| Error::bad_input(format!("{}.{name} must be a number", self.what)))
            }
            Some(_) => Err(Error::bad_input(format!("{}.{name} must be a number", self.what))),
        }
    }

    pub fn get(&self, name: &str) -> Option<&'a Value> {
        self.map.get(name).filter(|v| !v.is_null())
    }

    /// Refuses fields not in `known` — a misspelt option must not be silently ignored.
    pub fn only(&self, known: &[&str]) -> Result<()> {
        match self.map.keys().find(|k| !known.contains(&k.as_str())) {
            Some(unknown) => Err(Error::bad_input(format!("{}: unknown option {unknown:?}", self.what))),
            None => Ok(()),
        }
    }
}

/// A configuration value (it holds private keys, MD5 keys, secrets) whose strings are overwritten
/// when it is dropped: the clients keep what they parsed, and the text is not left behind in freed
/// memory.
#[cfg(any(target_arch = "wasm32", test))]
pub struct WipedOnDrop(pub Value);

#[cfg(any(target_arch = "wasm32", test))]
impl std::ops::Deref for WipedOnDrop {
    type Target = Value;
    fn deref(&self) -> &Value {
        &self.0
    }
}

#[cfg(any(target_arch = "wasm32", test))]
impl Drop for WipedOnDrop {
    fn drop(&mut self) {
        wipe(&mut self.0);
    }
}

#[cfg(any(target_arch = "wasm32", test))]
fn wipe(value: &mut Value) {
    match value {
        Value::String(text) => text.zeroize(),
        Value::Array(items) => items.iter_mut().for_each(wipe),
        Value::Object(map) => map.values_mut().for_each(wipe),
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wipe_empties_every_string() {
        let mut v = serde_json::json!({ "privateKey": "MIIE", "nested": { "list": ["a", 1, null] } });
        wipe(&mut v);
        assert_eq!(v, serde_json::json!({ "privateKey": "", "nested": { "list": ["", 1, null] } }));
        let config = WipedOnDrop(serde_json::json!({ "md5Key": "k" }));
        assert_eq!(config["md5Key"], "k");
    }
}
