//! The transform operator `| pattern | update, delete |`.
//!
//! jsonata-js clones the input with `$clone`, finds the objects the pattern selects in the
//! clone, and mutates them in place. Values here are immutable, so the clone is rebuilt bottom
//! up instead, applying each selected object's update and deletions as it is reached (objects
//! are recognised by identity; the clone gives every object its own). The one difference: an
//! update expression on an object sees the updates already made to the objects inside it,
//! where jsonata-js (which visits parents first) does not.

use std::rc::Rc;

use super::ast::TransformDef;
use super::error::JsonataError;
use super::eval::{Eval, R};
use super::stringify::message_json;
use super::value::{Frame, JArray, JMap, JValue};
use crate::value::Value;

struct Run<'d> {
    def: &'d TransformDef,
    env: Rc<Frame>,
    /// Identity of each selected object → visited yet.
    selected: indexmap::IndexMap<usize, bool, foldhash::fast::FixedState>,
}

/// Applies a transform to `obj` (undefined in, undefined out).
pub(crate) fn apply(
    ev: &mut Eval,
    def: &Rc<TransformDef>,
    env: &Rc<Frame>,
    obj: Option<JValue>,
) -> R<Option<JValue>> {
    let Some(obj) = obj else { return Ok(None) };
    let clone_fn = ev.lookup(env, "clone");
    if !clone_fn.as_ref().is_some_and(JValue::is_func) {
        return Err(JsonataError::at("T2013", def.position));
    }
    let cloned = ev.apply(clone_fn.as_ref(), vec![Some(obj)], None, env, &super::eval::Site::default())?;
    let Some(cloned) = cloned else { return Ok(None) };
    let matches = ev.eval(&def.pattern, Some(&cloned), env)?;
    let mut run = Run { def, env: env.clone(), selected: indexmap::IndexMap::default() };
    let mut match_list = Vec::new();
    if let Some(m) = matches {
        match_list = if m.is_array() { m.array_items().unwrap_or_default() } else { vec![m] };
    }
    for m in &match_list {
        if let Some(id) = m.identity() {
            run.selected.insert(id, false);
        }
    }
    let result = if run.selected.is_empty() { None } else { run.rebuild(ev, &cloned, 0)? };
    // Matches outside the clone (or not objects) change nothing, but their update and delete
    // clauses are still evaluated, as jsonata-js evaluates them (and may fail).
    for m in &match_list {
        let visited = m.identity().and_then(|id| run.selected.get(&id).copied()).unwrap_or(false);
        if !visited {
            run.update(ev, m.clone())?;
        }
    }
    Ok(Some(result.unwrap_or(cloned)))
}

impl Run<'_> {
    /// Rebuilds `v` with updates applied below it; `None` if nothing in it changed.
    fn rebuild(&mut self, ev: &mut Eval, v: &JValue, level: usize) -> R<Option<JValue>> {
        if super::stringify::too_deep(level) {
            return Err(JsonataError::depth());
        }
        if let JValue::Json(j) = v {
            return self.rebuild_json(ev, j, level);
        }
        let id = v.identity();
        if v.is_array() {
            let items = v.array_items().unwrap_or_default();
            let mut changed = false;
            let mut out = Vec::with_capacity(items.len());
            for item in items {
                match self.rebuild(ev, &item, level + 1)? {
                    Some(n) => {
                        changed = true;
                        out.push(n);
                    }
                    None => out.push(item),
                }
            }
            if let Some(id) = id {
                if let Some(seen) = self.selected.get_mut(&id) {
                    *seen = true;
                    // An array can be selected; jsonata-js sets properties on it that JSON
                    // does not show. Evaluate the clauses for their errors only.
                    let current = if changed { JValue::array(out.clone()) } else { v.clone() };
                    self.update(ev, current)?;
                }
            }
            if !changed {
                return Ok(None);
            }
            let flags = match v {
                JValue::Array(a) => JArray {
                    items: out,
                    sequence: a.sequence,
                    keep_singleton: a.keep_singleton,
                    cons: a.cons,
                    outer_wrapper: a.outer_wrapper,
                },
                _ => JArray { items: out, ..JArray::default() },
            };
            return Ok(Some(JValue::Array(Rc::new(flags))));
        }
        let Some(entries) = v.object_entries() else { return Ok(None) };
        let mut changed = false;
        let mut map = JMap::default();
        for (k, item) in entries {
            match self.rebuild(ev, &item, level + 1)? {
                Some(n) => {
                    changed = true;
                    map.insert(k, n);
                }
                None => {
                    map.insert(k, item);
                }
            }
        }
        let selected = id.is_some_and(|id| self.selected.contains_key(&id));
        if !selected {
            return Ok(if changed { Some(JValue::object(map)) } else { None });
        }
        if let Some(seen) = id.and_then(|id| self.selected.get_mut(&id)) {
            *seen = true;
        }
        let current = if changed { JValue::object(map) } else { v.clone() };
        Ok(Some(self.update(ev, current)?))
    }

    /// [`Run::rebuild`] on a JSON node: scalars are skipped and nothing is copied until a
    /// change is found below (most of a large document is left as it is).
    fn rebuild_json(&mut self, ev: &mut Eval, v: &Value, level: usize) -> R<Option<JValue>> {
        if super::stringify::too_deep(level) {
            return Err(JsonataError::depth());
        }
        let id = match v {
            Value::Array(a) => Rc::as_ptr(a) as *const u8 as usize,
            Value::Object(o) => Rc::as_ptr(o) as *const u8 as usize,
            _ => return Ok(None),
        };
        let is_container = |x: &Value| matches!(x, Value::Array(_) | Value::Object(_));
        let selected = self.selected.contains_key(&id);
        let current = if let Some(items) = v.as_array() {
            let mut changed: Option<Vec<JValue>> = None;
            for (i, item) in items.iter().enumerate() {
                let new = if is_container(item) { self.rebuild_json(ev, item, level + 1)? } else { None };
                match (new, changed.as_mut()) {
                    (Some(n), Some(c)) => c.push(n),
                    (Some(n), None) => {
                        let mut c: Vec<JValue> = items.iter().take(i).map(JValue::from_value).collect();
                        c.push(n);
                        changed = Some(c);
                    }
                    (None, Some(c)) => c.push(JValue::from_value(item)),
                    (None, None) => {}
                }
            }
            changed.map(JValue::array)
        } else if let Some(map) = v.as_object() {
            let mut changed: Option<JMap> = None;
            for (i, (k, item)) in map.iter().enumerate() {
                let new = if is_container(item) { self.rebuild_json(ev, item, level + 1)? } else { None };
                match (new, changed.as_mut()) {
                    (Some(n), Some(c)) => {
                        c.insert(k.clone(), n);
                    }
                    (Some(n), None) => {
                        let mut c: JMap =
                            map.iter().take(i).map(|(k, x)| (k.clone(), JValue::from_value(x))).collect();
                        c.insert(k.clone(), n);
                        changed = Some(c);
                    }
                    (None, Some(c)) => {
                        c.insert(k.clone(), JValue::from_value(item));
                    }
                    (None, None) => {}
                }
            }
            changed.map(JValue::object)
        } else {
            None
        };
        if !selected {
            return Ok(current);
        }
        if let Some(seen) = self.selected.get_mut(&id) {
            *seen = true;
        }
        let target = current.unwrap_or_else(|| JValue::Json(v.clone()));
        if target.is_array() {
            // see `rebuild`: an array's clauses are evaluated for their errors only
            self.update(ev, target.clone())?;
            return Ok(Some(target));
        }
        Ok(Some(self.update(ev, target)?))
    }

    /// Applies the update and delete clauses to one selected object.
    fn update(&mut self, ev: &mut Eval, target: JValue) -> R<JValue> {
        let update = ev.eval(&self.def.update, Some(&target), &self.env)?;
        let mut map: Option<JMap> = target.object_entries().map(|e| e.into_iter().collect());
        if let Some(u) = update {
            if !u.is_object() {
                return Err(
                    JsonataError::at("T2011", self.def.update.position).value_json(message_json(Some(&u)))
                );
            }
            if let Some(m) = map.as_mut() {
                for (k, val) in u.object_entries().unwrap_or_default() {
                    m.insert(k, val);
                }
            }
        }
        let updated = match &map {
            Some(m) => JValue::object(m.clone()),
            None => target.clone(),
        };
        if let Some(del) = &self.def.delete {
            if let Some(d) = ev.eval(del, Some(&updated), &self.env)? {
                let names = if d.is_array() { d.array_items().unwrap_or_default() } else { vec![d.clone()] };
                if !names.iter().all(|n| matches!(n, JValue::String(_))) {
                    return Err(JsonataError::at("T2012", del.position).value_json(message_json(Some(&d))));
                }
                if let Some(m) = map.as_mut() {
                    for n in names {
                        if let JValue::String(s) = n {
                            m.shift_remove(&*s);
                        }
                    }
                }
            }
        }
        Ok(match map {
            Some(m) => JValue::object(m),
            None => target,
        })
    }
}
