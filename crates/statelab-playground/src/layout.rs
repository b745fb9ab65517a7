//! Automatic layered layout of a compiled state machine (positions of states, containers, edges), drawn by the UI as SVG.

// How it works. Scopes are laid out innermost first, so a Parallel or Map state enters its
// parent's layout as one box the size of its contents. Within a scope, Sugiyama-style:
//
// 1. Graph: a Start vertex, one vertex per state, an End vertex; Next/Choice/Default/Catch
//    edges (several edges between the same two vertices share one route), End edges from
//    `End: true`, Succeed and Fail. Self-loops and retries are drawn as loops on the node.
// 2. Cycle breaking: DFS from Start in definition order; edges to a vertex on the stack are back
//    edges. States unreachable from Start are searched afterwards, in definition order.
// 3. Layering: longest path from Start, so the graph reads top to bottom. Unreachable states go
//    below everything reachable (a new, unconnected state never pushes the picture around).
// 4. Rows: layer `l` is row `2l`; every edge gets a dummy in each row it crosses, so every edge
//    has one in the odd row next to its source. That dummy carries the edge's label, which
//    therefore has reserved room and never overlaps a node. Back edges get dummies too and are
//    routed up the right-hand side of their nodes.
// 5. Crossing reduction: barycenter sweeps, down and up, a fixed number of times, keeping the
//    ordering with the fewest crossings; ties keep the previous order, which starts as DFS order,
//    so small edits keep the picture stable.
// 6. Coordinates: Brandes–Köpf (as in dagre): four alignments of each item with its median
//    neighbour, compacted and balanced, then each row projected onto its spacing constraints.
//    Chains and long edges come out straight and parents centre over their children.
// 7. Routing: polylines that cross rows only at their own reserved x, so they never cross a node.
//
// Everything is linear in the number of states plus dummies except the per-row sorts, and the
// dummies are capped (`DUMMY_BUDGET`): past the cap, long edges are drawn as straight lines.
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use std::collections::hash_map::Entry;
use std::collections::{HashMap, VecDeque};

use statelab::choice::{Op, Operand, Rule, Test};
use statelab::machine::{Kind, Machine, Next, Retrier, ScopeId, State, StateId};
use statelab::time::format_millis;

/// Height of a state's box.
pub const NODE_H: f64 = 40.0;
/// Width the layout assumes per character of a state name (about a 12 px sans-serif font).
pub const CHAR_W: f64 = 7.2;
/// Width the layout assumes per character of an edge label (about an 11 px font).
pub const LABEL_CHAR_W: f64 = 6.2;
/// Height reserved for an edge label.
pub const LABEL_H: f64 = 16.0;
/// Radius of the Start and End circles.
pub const MARKER_R: f64 = 10.0;
/// Height of a container's title bar (the Parallel or Map state's own node).
pub const TITLE_H: f64 = 36.0;
/// Height of the caption strip at the top of each lane.
pub const LANE_LABEL_H: f64 = 22.0;
/// Longest edge label, in characters; longer ones end with an ellipsis.
pub const MAX_LABEL_CHARS: usize = 40;

const NODE_PAD_X: f64 = 16.0;
const NODE_MIN_W: f64 = 120.0;
const NODE_MAX_W: f64 = 260.0;
/// Horizontal gaps between neighbours in a row: node–node, node–edge, edge–edge.
const NODE_SEP: f64 = 28.0;
const MIXED_SEP: f64 = 16.0;
const DUMMY_SEP: f64 = 10.0;
/// Vertical gap between consecutive rows (a layer and the label row under it).
const ROW_GAP: f64 = 22.0;
/// Distance between the vertical lanes of loops and back edges on a node's right side.
const SIDE_STEP: f64 = 12.0;
const SCOPE_PAD: f64 = 16.0;
const CONTAINER_PAD: f64 = 14.0;
const LANE_GAP: f64 = 18.0;
const LANE_MIN_W: f64 = 140.0;
const RETRY_LABEL_CHARS: usize = 24;
/// Deeper nesting is drawn as empty lanes: it keeps the recursion bounded on any input.
const MAX_DEPTH: usize = 40;
/// Dummy vertices for the whole machine; beyond it long edges go straight (see the header).
const DUMMY_BUDGET: usize = 100_000;
const ORDER_SWEEPS: usize = 8;
const EPS: f64 = 1e-6;

/// A laid-out machine. Coordinates are layout units (pixels at zoom 1), origin top-left, every
/// shape within `0..width` × `0..height`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Layout {
    /// Total width.
    pub width: f64,
    /// Total height.
    pub height: f64,
    /// One box per drawn state, sorted by state id. For a Parallel or Map state it is the
    /// container's title bar.
    pub nodes: Vec<NodeBox>,
    /// Parallel and Map states, in drawing order (outer before inner).
    pub containers: Vec<ContainerBox>,
    /// Every edge, retry loops included.
    pub edges: Vec<Edge>,
    /// The Start and End circles of every scope.
    pub markers: Vec<Marker>,
}

/// A state's box.
#[derive(Clone, Debug, PartialEq)]
pub struct NodeBox {
    /// The state.
    pub state: StateId,
    /// Left edge.
    pub x: f64,
    /// Top edge.
    pub y: f64,
    /// Width (from the label: [`CHAR_W`] per character plus padding, 120 to 260).
    pub w: f64,
    /// Height ([`NODE_H`], or [`TITLE_H`] for a container's title bar).
    pub h: f64,
    /// The state's name, shortened with an ellipsis to fit the box.
    pub label: String,
    /// `Pass`, `Task`, `Choice`, `Wait`, `Succeed`, `Fail`, `Parallel` or `Map`: for colour and
    /// shape.
    pub type_name: &'static str,
}

/// A Parallel or Map state drawn as a box holding its branches or its item processor. Edges
/// attach to its outer border: in at the top (the title bar), out at the bottom.
#[derive(Clone, Debug, PartialEq)]
pub struct ContainerBox {
    /// The Parallel or Map state (its title bar is `Layout::node(state)`).
    pub state: StateId,
    /// Left edge.
    pub x: f64,
    /// Top edge.
    pub y: f64,
    /// Width.
    pub w: f64,
    /// Height, title bar included.
    pub h: f64,
    /// The state's name (also the title bar node's label).
    pub title: String,
    /// One lane per branch (Parallel) or one for the item processor (Map), left to right.
    pub lanes: Vec<Lane>,
}

/// One scope inside a container: its own Start, states and End are drawn inside it.
#[derive(Clone, Debug, PartialEq)]
pub struct Lane {
    /// The branch or item processor.
    pub scope: ScopeId,
    /// Left edge.
    pub x: f64,
    /// Top edge.
    pub y: f64,
    /// Width.
    pub w: f64,
    /// Height (the caption strip, [`LANE_LABEL_H`], included).
    pub h: f64,
    /// `Branch 1`, `Branch 2`, ... or `Item processor`.
    pub label: String,
}

/// An edge, as a polyline ending at its target (draw the arrowhead at the last point).
///
/// Edges leave a node from its bottom border and enter at its top, except back edges (a Choice
/// looping back, a `Next` pointing upwards), which leave and enter on the right-hand side, and
/// loops (retries, self-loops), which leave and come back on the right-hand side. Several edges
/// between the same two endpoints (say three Choice rules to one state) share one route; the
/// first of them carries a label summing them up, the others have none.
#[derive(Clone, Debug, PartialEq)]
pub struct Edge {
    /// Where it starts.
    pub from: Endpoint,
    /// Where it ends.
    pub to: Endpoint,
    /// What it is (Catch edges are drawn dashed).
    pub kind: EdgeKind,
    /// The rule, `Default`, the caught errors or the retried errors; `None` for plain edges.
    pub label: Option<String>,
    /// At least two points.
    pub points: Vec<(f64, f64)>,
    /// Centre of the label's box ([`LABEL_CHAR_W`] per character by [`LABEL_H`]): draw it with
    /// `text-anchor="middle"` and `dominant-baseline="middle"`.
    pub label_at: Option<(f64, f64)>,
}

/// One end of an edge.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Endpoint {
    /// The Start circle of a scope.
    Start(ScopeId),
    /// The End circle of a scope.
    End(ScopeId),
    /// A state (for a container, its outer border).
    State(StateId),
}

/// Why an edge exists.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EdgeKind {
    /// `Next`, `End: true` (to the End circle), Succeed and Fail (to End), Start to `StartAt`.
    Next,
    /// Choice rule `i` (its index in `Choices`).
    Choice(usize),
    /// A Choice's `Default`.
    Default,
    /// Catcher `i` (its index in `Catch`).
    Catch(usize),
    /// The state's `Retry` list, as a loop on the node.
    RetryLoop,
}

/// A Start or End circle.
#[derive(Clone, Debug, PartialEq)]
pub struct Marker {
    /// Which one.
    pub endpoint: Endpoint,
    /// Centre.
    pub x: f64,
    /// Centre.
    pub y: f64,
    /// Radius ([`MARKER_R`]).
    pub r: f64,
}

impl Layout {
    /// The box of a state (a container's title bar for a Parallel or Map).
    pub fn node(&self, id: StateId) -> Option<&NodeBox> {
        let i = self.nodes.binary_search_by_key(&id, |n| n.state).ok()?;
        self.nodes.get(i)
    }

    #[cfg(test)] // used by the tests; the UI hit-tests through the SVG itself
    /// The state drawn at a point (layout units): a node, or else the innermost container.
    pub fn node_at(&self, x: f64, y: f64) -> Option<StateId> {
        let inside = |bx: f64, by: f64, w: f64, h: f64| x >= bx && x <= bx + w && y >= by && y <= by + h;
        if let Some(n) = self.nodes.iter().find(|n| inside(n.x, n.y, n.w, n.h)) {
            return Some(n.state);
        }
        self.containers.iter().rev().find(|c| inside(c.x, c.y, c.w, c.h)).map(|c| c.state)
    }

    /// The transform that fits the whole graph in a `view_w` × `view_h` viewport with a margin,
    /// centred, never magnified past 1: apply it as `translate(tx, ty) scale(scale)`.
    pub fn fit(&self, view_w: f64, view_h: f64) -> (f64, f64, f64) {
        let (aw, ah) = (view_w - 2.0 * VIEW_MARGIN, view_h - 2.0 * VIEW_MARGIN);
        if !(usable(aw) && usable(ah) && usable(self.width) && usable(self.height)) {
            return (1.0, 0.0, 0.0);
        }
        let scale = (aw / self.width).min(ah / self.height).min(1.0);
        (scale, (view_w - self.width * scale) / 2.0, (view_h - self.height * scale) / 2.0)
    }

    /// The view a machine opens at: [`Layout::fit`], unless that draws it smaller than
    /// [`SMALLEST_OPEN_SCALE`] (a machine too tall or too wide for the panel), where nothing
    /// could be read or aimed at; then the top of the graph at [`READABLE_SCALE`], centred
    /// across, to pan and zoom from: the start state is there (the layout centres each layer).
    pub fn open_view(&self, view_w: f64, view_h: f64) -> (f64, f64, f64) {
        let fitted = self.fit(view_w, view_h);
        if fitted.0 >= SMALLEST_OPEN_SCALE || !usable(self.width) {
            return fitted;
        }
        let scale = READABLE_SCALE.max(fitted.0);
        (scale, (view_w - self.width * scale) / 2.0, VIEW_MARGIN)
    }
}

/// The margin [`Layout::fit`] leaves round the graph, px.
const VIEW_MARGIN: f64 = 24.0;

/// The scale a graph too tall to fit at [`SMALLEST_OPEN_SCALE`] opens at: its 11 px state names
/// are read at about 7 px, its boxes are 24 px high.
pub const READABLE_SCALE: f64 = 0.6;

/// Below this a fitted graph is not opened fitted (the gallery's machines fit at 0.43 and more in
/// a 1440 x 900 window; the tour of every state type, 0.22).
pub const SMALLEST_OPEN_SCALE: f64 = 0.4;

fn usable(v: f64) -> bool {
    v.is_finite() && v > 0.0
}

/// The transform that brings the box `(x, y, w, h)` (in layout units) into a `view_w` ×
/// `view_h` viewport now drawn with `view` (`(scale, tx, ty)`), panning only, and centring it
/// on the axis where it was out of view; `None` when it is already in full view.
pub fn reveal(
    view: (f64, f64, f64),
    bx: (f64, f64, f64, f64),
    view_w: f64,
    view_h: f64,
) -> Option<(f64, f64, f64)> {
    let (s, tx, ty) = view;
    let (x, y, w, h) = bx;
    let (left, top, right, bottom) = (x * s + tx, y * s + ty, (x + w) * s + tx, (y + h) * s + ty);
    let out_x = left < 0.0 || right > view_w;
    let out_y = top < 0.0 || bottom > view_h;
    if !(out_x || out_y) || !usable(view_w) || !usable(view_h) {
        return None;
    }
    let centre = |lo: f64, hi: f64, size: f64, t: f64, out: bool| {
        if out {
            t + size / 2.0 - (lo + hi) / 2.0
        } else {
            t
        }
    };
    Some((s, centre(left, right, view_w, tx, out_x), centre(top, bottom, view_h, ty, out_y)))
}

/// Lays the machine out. Never panics, whatever the machine holds (dangling ids, empty scopes,
/// cycles, deep nesting); states outside every scope's list are not drawn.
pub fn layout(machine: &Machine) -> Layout {
    layout_within(machine, DUMMY_BUDGET)
}

/// [`layout`] with `budget` dummy vertices (the tests use a small one to reach the fallback).
fn layout_within(machine: &Machine, budget: usize) -> Layout {
    if machine.scopes.is_empty() {
        return Layout::default();
    }
    let mut ctx = Ctx::new(machine, budget);
    put(&mut ctx.scope_done, 0, true);
    let block = layout_scope(&mut ctx, 0, 0);
    let mut nodes = block.nodes;
    nodes.sort_by_key(|n| n.state);
    Layout {
        width: block.w,
        height: block.h,
        nodes,
        containers: block.containers,
        edges: block.edges,
        markers: block.markers,
    }
}

/// A short human label for a Choice rule (`$.foo == 1`, `$.x IsPresent`, `And(...)`), at most
/// [`MAX_LABEL_CHARS`] characters.
pub fn rule_label(rule: &Rule) -> String {
    let mut s = String::new();
    write_rule(rule, &mut s);
    ellipsize(&s, MAX_LABEL_CHARS)
}

// ---------------------------------------------------------------------------------------------
// Labels and sizes.

fn write_rule(rule: &Rule, out: &mut String) {
    // Only the first 40 characters survive and rules nest up to 100 deep: stop early.
    if out.len() > 4 * MAX_LABEL_CHARS {
        return;
    }
    match rule {
        Rule::And(rules) => write_list("And", rules, out),
        Rule::Or(rules) => write_list("Or", rules, out),
        Rule::Not(r) => {
            out.push_str("Not(");
            write_rule(r, out);
            out.push(')');
        }
        Rule::Compare { variable, test } => write_compare(variable.text(), test, out),
        Rule::Condition(e) => out.push_str(e.text.trim()),
    }
}

fn write_list(name: &str, rules: &[Rule], out: &mut String) {
    out.push_str(name);
    out.push('(');
    for (i, r) in rules.iter().enumerate() {
        if out.len() > 4 * MAX_LABEL_CHARS {
            break;
        }
        if i > 0 {
            out.push_str(", ");
        }
        write_rule(r, out);
    }
    out.push(')');
}

fn write_compare(var: &str, test: &Test, out: &mut String) {
    fn operand<T>(o: &Operand<T>, show: impl Fn(&T) -> String) -> String {
        match o {
            Operand::Const(c) => show(c),
            Operand::Path(p) => p.text().to_string(),
        }
    }
    fn symbol(op: Op) -> &'static str {
        match op {
            Op::Eq => "==",
            Op::Lt => "<",
            Op::Gt => ">",
            Op::Le => "<=",
            Op::Ge => ">=",
        }
    }
    let (name, flag) = match test {
        Test::String(op, o) => {
            let rhs = operand(o, |s| format!("{s:?}"));
            *out += &format!("{var} {} {rhs}", symbol(*op));
            return;
        }
        Test::Numeric(op, o) => {
            *out += &format!("{var} {} {}", symbol(*op), operand(o, f64::to_string));
            return;
        }
        Test::Timestamp(op, o) => {
            let rhs = operand(o, |t| format_millis(t.millis()).replace(".000Z", "Z"));
            *out += &format!("{var} {} {rhs}", symbol(*op));
            return;
        }
        Test::Boolean(o) => {
            *out += &format!("{var} == {}", operand(o, bool::to_string));
            return;
        }
        Test::Matches(p) => {
            *out += &format!("{var} matches {:?}", p.text());
            return;
        }
        Test::IsNull(b) => ("IsNull", *b),
        Test::IsPresent(b) => ("IsPresent", *b),
        Test::IsNumeric(b) => ("IsNumeric", *b),
        Test::IsString(b) => ("IsString", *b),
        Test::IsBoolean(b) => ("IsBoolean", *b),
        Test::IsTimestamp(b) => ("IsTimestamp", *b),
    };
    *out += &format!("{var} {}{name}", if flag { "" } else { "not " });
}

fn ellipsize(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

fn catch_label(errors: &[std::rc::Rc<str>]) -> String {
    let names: Vec<&str> = errors.iter().map(|e| &**e).collect();
    ellipsize(&names.join(", "), MAX_LABEL_CHARS)
}

fn retry_label(retry: &[Retrier]) -> String {
    let names: Vec<&str> = retry.iter().flat_map(|r| r.error_equals.iter().map(|e| &**e)).collect();
    ellipsize(format!("Retry {}", names.join(", ")).trim_end(), RETRY_LABEL_CHARS)
}

/// One label for edges sharing a route.
fn bundle_label(members: &[(EdgeKind, Option<String>)]) -> Option<String> {
    let labels: Vec<&str> = members.iter().filter_map(|(_, l)| l.as_deref()).collect();
    match labels.as_slice() {
        [] => None,
        [one] => Some((*one).to_string()),
        [a, b] => Some(ellipsize(&format!("{a} | {b}"), MAX_LABEL_CHARS)),
        [first, rest @ ..] => {
            let more = format!(" +{} more", rest.len());
            let head = ellipsize(first, MAX_LABEL_CHARS.saturating_sub(more.chars().count()));
            Some(format!("{head}{more}"))
        }
    }
}

/// Width reserved for an edge label.
fn label_width(label: &str) -> f64 {
    label.chars().count() as f64 * LABEL_CHAR_W + 6.0
}

fn node_width(name: &str) -> f64 {
    (name.chars().count() as f64 * CHAR_W + 2.0 * NODE_PAD_X).clamp(NODE_MIN_W, NODE_MAX_W)
}

fn node_label(name: &str) -> String {
    let max = ((NODE_MAX_W - 2.0 * NODE_PAD_X) / CHAR_W).floor() as usize;
    ellipsize(name, max)
}

// ---------------------------------------------------------------------------------------------
// Small safe accessors: every index below is checked, so a bug draws something odd, never panics.

fn at<T: Copy + Default>(v: &[T], i: usize) -> T {
    v.get(i).copied().unwrap_or_default()
}

fn update<T: Copy>(v: &mut [T], i: usize, f: impl FnOnce(T) -> T) {
    if let Some(s) = v.get_mut(i) {
        *s = f(*s);
    }
}

fn put<T>(v: &mut [T], i: usize, val: T) {
    if let Some(s) = v.get_mut(i) {
        *s = val;
    }
}

// ---------------------------------------------------------------------------------------------
// The recursive driver.

struct Ctx<'m> {
    m: &'m Machine,
    /// Each scope's states, deduplicated: a state listed by several scopes belongs to the first.
    members: Vec<Vec<StateId>>,
    /// For each state, its scope and its vertex index there (1-based: 0 is Start).
    home: Vec<Option<(ScopeId, usize)>>,
    /// Scopes already laid out (a malformed machine could nest a scope in itself).
    scope_done: Vec<bool>,
    /// Dummy vertices left.
    budget: usize,
}

impl<'m> Ctx<'m> {
    fn new(m: &'m Machine, budget: usize) -> Self {
        let mut home = vec![None; m.states.len()];
        let members = m
            .scopes
            .iter()
            .enumerate()
            .map(|(si, sc)| {
                let mut list = Vec::new();
                for &id in &sc.states {
                    if let Some(h) = home.get_mut(id) {
                        if h.is_none() {
                            list.push(id);
                            *h = Some((si, list.len()));
                        }
                    }
                }
                list
            })
            .collect();
        Ctx { m, members, home, scope_done: vec![false; m.scopes.len()], budget }
    }

    /// The vertex of `state` if it belongs to `scope`.
    fn vertex(&self, scope: ScopeId, state: StateId) -> Option<usize> {
        match self.home.get(state) {
            Some(Some((s, v))) if *s == scope => Some(*v),
            _ => None,
        }
    }
}

/// The geometry of one scope (or, once merged, of everything in it), relative to its top-left.
#[derive(Default)]
struct Block {
    w: f64,
    h: f64,
    nodes: Vec<NodeBox>,
    containers: Vec<ContainerBox>,
    edges: Vec<Edge>,
    markers: Vec<Marker>,
}

impl Block {
    fn absorb(&mut self, other: Block, dx: f64, dy: f64) {
        self.nodes.extend(other.nodes.into_iter().map(|mut n| {
            n.x += dx;
            n.y += dy;
            n
        }));
        self.containers.extend(other.containers.into_iter().map(|mut c| {
            c.x += dx;
            c.y += dy;
            for l in &mut c.lanes {
                l.x += dx;
                l.y += dy;
            }
            c
        }));
        self.edges.extend(other.edges.into_iter().map(|mut e| {
            for p in &mut e.points {
                p.0 += dx;
                p.1 += dy;
            }
            if let Some(p) = &mut e.label_at {
                p.0 += dx;
                p.1 += dy;
            }
            e
        }));
        self.markers.extend(other.markers.into_iter().map(|mut m| {
            m.x += dx;
            m.y += dy;
            m
        }));
    }
}

/// A laid-out container, relative to its own top-left, before it is placed.
struct Container {
    w: f64,
    h: f64,
    lanes: Vec<LanePart>,
}

struct LanePart {
    scope: ScopeId,
    label: String,
    x: f64,
    y: f64,
    w: f64,
    h: f64,
    block: Block,
    /// Where the scope's block goes, relative to the container.
    bx: f64,
    by: f64,
}

fn build_container(ctx: &mut Ctx, st: &State, depth: usize) -> Container {
    let (scopes, is_map) = match &st.kind {
        Kind::Parallel { branches } => (branches.clone(), false),
        Kind::Map(spec) => (vec![spec.processor], true),
        _ => (Vec::new(), false),
    };
    let mut parts = Vec::with_capacity(scopes.len());
    for (i, &sc) in scopes.iter().enumerate() {
        let fresh = depth < MAX_DEPTH && ctx.scope_done.get(sc) == Some(&false);
        let block = if fresh {
            put(&mut ctx.scope_done, sc, true);
            layout_scope(ctx, sc, depth + 1)
        } else {
            Block::default()
        };
        let label = if is_map { "Item processor".to_string() } else { format!("Branch {}", i + 1) };
        parts.push((sc, label, block));
    }
    let lane_body_h = parts.iter().map(|(_, _, b)| b.h).fold(0.0, f64::max);
    let lane_h = LANE_LABEL_H + lane_body_h;
    let widths: Vec<f64> =
        parts.iter().map(|(_, l, b)| b.w.max(label_width(l) + 16.0).max(LANE_MIN_W)).collect();
    let content_w = if parts.is_empty() {
        0.0
    } else {
        widths.iter().sum::<f64>() + LANE_GAP * (parts.len() - 1) as f64 + 2.0 * CONTAINER_PAD
    };
    let w = content_w.max(node_width(&st.name));
    let h =
        if parts.is_empty() { TITLE_H + 2.0 * CONTAINER_PAD } else { TITLE_H + lane_h + 2.0 * CONTAINER_PAD };
    let mut lx = (w - content_w) / 2.0 + CONTAINER_PAD;
    let ly = TITLE_H + CONTAINER_PAD;
    let lanes = parts
        .into_iter()
        .zip(widths)
        .map(|((scope, label, block), lw)| {
            let part = LanePart {
                scope,
                label,
                x: lx,
                y: ly,
                w: lw,
                h: lane_h,
                bx: lx + (lw - block.w) / 2.0,
                by: ly + LANE_LABEL_H,
                block,
            };
            lx += lw + LANE_GAP;
            part
        })
        .collect();
    Container { w, h, lanes }
}

// ---------------------------------------------------------------------------------------------
// One scope.

/// A vertex of a scope's graph: Start, a state, or End.
struct Vert {
    endpoint: Endpoint,
    w: f64,
    h: f64,
    /// Height of the band on the right-hand side where loops and back edges attach: the node,
    /// or a container's title bar.
    band: f64,
    label: String,
    type_name: &'static str,
    container: Option<Container>,
}

impl Vert {
    fn marker(endpoint: Endpoint) -> Self {
        let d = 2.0 * MARKER_R;
        Vert { endpoint, w: d, h: d, band: d, label: String::new(), type_name: "", container: None }
    }

    fn is_marker(&self) -> bool {
        !matches!(self.endpoint, Endpoint::State(_))
    }

    /// Where paths stop: Succeed, Fail and the End circle.
    fn is_terminal(&self) -> bool {
        matches!(self.endpoint, Endpoint::End(_)) || matches!(self.type_name, "Succeed" | "Fail")
    }
}

/// An edge of the scope's graph: one or more machine edges sharing a route.
struct GEdge {
    from: usize,
    to: usize,
    /// Catch edges (drawn dashed) never share a route or a trunk with solid ones.
    dashed: bool,
    members: Vec<(EdgeKind, Option<String>)>,
    label: Option<String>,
    label_w: f64,
}

/// A loop on a node: its retries, or an edge to itself.
struct Loop {
    vertex: usize,
    /// The self-loop's edge; `None` for the retry loop.
    edge: Option<usize>,
    label: Option<String>,
    lane: usize,
    /// Attachments and label centre, relative to the box's top.
    y1: f64,
    y2: f64,
    label_y: f64,
}

/// A vertex or a dummy, placed in a row.
struct Item {
    row: usize,
    dummy: bool,
    /// Extent left and right of the item's anchor (a box's centre, a dummy's line).
    lext: f64,
    rext: f64,
    h: f64,
    /// Links to the rows above and below.
    up: Vec<usize>,
    down: Vec<usize>,
    /// Initial order within the row.
    key: (usize, usize),
}

/// A segment of a chain between two items of consecutive rows. The offsets say where on each
/// item it attaches, relative to the item's anchor (ports and side lanes of vertices).
struct Link {
    up: usize,
    down: usize,
    up_off: f64,
    down_off: f64,
    /// Attaches to a vertex's side lane (the end of a back edge).
    side: bool,
    /// May line its two ends up vertically. Not side lanes (a vertex belongs in line with its
    /// forward flow) nor joins into a trunk (the trunk stays one straight line).
    aligns: bool,
    /// How much a vertex wants to line up with this link rather than its others: the main flow
    /// (2) over edges into Fail, Succeed or End (1) over Catch edges (0). Without it, a chain of
    /// states each with a side branch drifts sideways a little more at every step.
    prio: u8,
}

/// The route of one graph edge through the rows, upper vertex to lower vertex.
struct Chain {
    edge: usize,
    /// Drawn from `lower` (the source) up to `upper` (the target), on the right-hand sides.
    back: bool,
    upper: usize,
    lower: usize,
    /// Its own dummies, top to bottom; empty when the dummy budget ran out.
    dummies: Vec<usize>,
    /// The trunk it joins after its own dummy, and where (an index in the trunk's items).
    trunk: Option<(usize, usize)>,
    label_item: Option<usize>,
    first_link: Option<usize>,
    last_link: Option<usize>,
    /// Attachment on each vertex: x relative to its anchor, y relative to its top.
    upper_off: f64,
    lower_off: f64,
    upper_y: f64,
    lower_y: f64,
}

/// Where each forward edge leaves (bottom) or enters (top) its box, relative to the box's
/// centre: straight above or below the next point of its route when that is over the box, else
/// the nearest point of the border, kept apart and in the order of the routes. Markers use their
/// centre.
fn assign_ports(verts: &[Vert], items: &[Item], links: &mut [Link], x: &[f64]) {
    for (v, vert) in verts.iter().enumerate() {
        let Some(it) = items.get(v) else { continue };
        if vert.is_marker() {
            continue;
        }
        let margin = (vert.w / 4.0).min(12.0);
        let (lo, hi) = (-vert.w / 2.0 + margin, vert.w / 2.0 - margin);
        for down in [true, false] {
            let other = |lk: &Link| if down { lk.down } else { lk.up };
            let mut ls: Vec<(f64, usize)> = if down { &it.down } else { &it.up }
                .iter()
                .filter_map(|&l| {
                    links.get(l).filter(|lk| !lk.side).map(|lk| (at(x, other(lk)) - at(x, v), l))
                })
                .collect();
            ls.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            let gap = if ls.len() > 1 { 8.0_f64.min((hi - lo) / (ls.len() - 1) as f64) } else { 0.0 };
            let mut ports: Vec<f64> = Vec::with_capacity(ls.len());
            for &(want, _) in &ls {
                let p = want.clamp(lo, hi);
                ports.push(ports.last().map_or(p, |&q| p.max(q + gap)));
            }
            let mut bound = hi;
            for p in ports.iter_mut().rev() {
                *p = p.min(bound);
                bound = *p - gap;
            }
            for (&(_, l), p) in ls.iter().zip(ports) {
                if let Some(lk) = links.get_mut(l) {
                    if down {
                        lk.up_off = p;
                    } else {
                        lk.down_off = p;
                    }
                }
            }
        }
    }
}

/// Dummies shared by the long edges into one target, one per row down to it.
struct Trunk {
    first_row: usize,
    items: Vec<usize>,
    /// Into the target.
    last_link: Option<usize>,
}

fn new_dummy(items: &mut Vec<Item>, row: usize, key: (usize, usize)) -> usize {
    items.push(Item {
        row,
        dummy: true,
        lext: 0.0,
        rext: 0.0,
        h: 0.0,
        up: Vec::new(),
        down: Vec::new(),
        key,
    });
    items.len() - 1
}

fn new_link(
    items: &mut [Item],
    links: &mut Vec<Link>,
    up: usize,
    down: usize,
    side: bool,
    aligns: bool,
    prio: u8,
) -> usize {
    let l = links.len();
    links.push(Link { up, down, up_off: 0.0, down_off: 0.0, side, aligns, prio });
    if let Some(it) = items.get_mut(up) {
        it.down.push(l);
    }
    if let Some(it) = items.get_mut(down) {
        it.up.push(l);
    }
    l
}

/// Drops repeated points and points in the middle of a straight run.
fn simplify(pts: &mut Vec<(f64, f64)>) {
    let mut tagged: Vec<((), (f64, f64))> = pts.iter().map(|&p| ((), p)).collect();
    simplify_tagged(&mut tagged);
    *pts = tagged.into_iter().map(|(_, p)| p).collect();
}

/// [`simplify`], keeping a tag with each point.
fn simplify_tagged<T: Copy>(pts: &mut Vec<(T, (f64, f64))>) {
    let mut out: Vec<(T, (f64, f64))> = Vec::with_capacity(pts.len());
    for &(tag, p) in pts.iter() {
        if out.last().is_some_and(|(_, q)| (q.0 - p.0).abs() < EPS && (q.1 - p.1).abs() < EPS) {
            continue;
        }
        while let [.., (_, a), (_, b)] = out.as_slice() {
            let (u, v) = ((b.0 - a.0, b.1 - a.1), (p.0 - b.0, p.1 - b.1));
            let cross = u.0 * v.1 - u.1 * v.0;
            let dot = u.0 * v.0 + u.1 * v.1;
            if cross.abs() > EPS || dot < 0.0 {
                break;
            }
            out.pop();
        }
        out.push((tag, p));
    }
    *pts = out;
}

fn layout_scope(ctx: &mut Ctx, scope: ScopeId, depth: usize) -> Block {
    let m = ctx.m;
    let members: Vec<StateId> = ctx.members.get(scope).cloned().unwrap_or_default();
    let n = members.len();
    let end = n + 1;
    let nv = n + 2;

    // Vertices; containers are laid out (recursively) here, since their size is needed.
    let mut verts = Vec::with_capacity(nv);
    verts.push(Vert::marker(Endpoint::Start(scope)));
    for &id in &members {
        let Some(st) = m.states.get(id) else {
            verts.push(Vert::marker(Endpoint::State(id)));
            continue;
        };
        let label = node_label(&st.name);
        let type_name = st.type_name();
        if matches!(st.kind, Kind::Parallel { .. } | Kind::Map(_)) {
            let c = build_container(ctx, st, depth);
            verts.push(Vert {
                endpoint: Endpoint::State(id),
                w: c.w,
                h: c.h,
                band: TITLE_H,
                label,
                type_name,
                container: Some(c),
            });
        } else {
            let w = node_width(&st.name);
            verts.push(Vert {
                endpoint: Endpoint::State(id),
                w,
                h: NODE_H,
                band: NODE_H,
                label,
                type_name,
                container: None,
            });
        }
    }
    verts.push(Vert::marker(Endpoint::End(scope)));

    // Edges, bundled by (from, to, dashed).
    let mut gedges: Vec<GEdge> = Vec::new();
    let mut loops: Vec<Loop> = Vec::new();
    {
        let mut bundles: HashMap<(usize, usize, bool), usize> = HashMap::new();
        let mut add = |from: usize, to: usize, kind: EdgeKind, label: Option<String>| match bundles.entry((
            from,
            to,
            matches!(kind, EdgeKind::Catch(_)),
        )) {
            Entry::Occupied(o) => {
                if let Some(g) = gedges.get_mut(*o.get()) {
                    g.members.push((kind, label));
                }
            }
            Entry::Vacant(v) => {
                v.insert(gedges.len());
                gedges.push(GEdge {
                    from,
                    to,
                    dashed: matches!(kind, EdgeKind::Catch(_)),
                    members: vec![(kind, label)],
                    label: None,
                    label_w: 0.0,
                });
            }
        };
        if n == 0 {
            add(0, end, EdgeKind::Next, None);
        } else if let Some(sv) = m.scopes.get(scope).and_then(|s| ctx.vertex(scope, s.start)) {
            add(0, sv, EdgeKind::Next, None);
        }
        for (i, &id) in members.iter().enumerate() {
            let v = i + 1;
            let Some(st) = m.states.get(id) else { continue };
            match st.next {
                Next::State(t) => {
                    if let Some(tv) = ctx.vertex(scope, t) {
                        add(v, tv, EdgeKind::Next, None);
                    }
                }
                Next::End => add(v, end, EdgeKind::Next, None),
                Next::Terminal => {
                    if matches!(st.kind, Kind::Succeed | Kind::Fail { .. }) {
                        add(v, end, EdgeKind::Next, None);
                    }
                }
            }
            if let Kind::Choice(spec) = &st.kind {
                for (k, b) in spec.choices.iter().enumerate() {
                    if let Some(tv) = ctx.vertex(scope, b.next) {
                        add(v, tv, EdgeKind::Choice(k), Some(rule_label(&b.rule)));
                    }
                }
                if let Some(tv) = spec.default.and_then(|d| ctx.vertex(scope, d)) {
                    add(v, tv, EdgeKind::Default, Some("Default".to_string()));
                }
            }
            for (k, c) in st.catch.iter().enumerate() {
                if let Some(tv) = ctx.vertex(scope, c.next) {
                    add(v, tv, EdgeKind::Catch(k), Some(catch_label(&c.error_equals)));
                }
            }
            if !st.retry.is_empty() {
                loops.push(Loop {
                    vertex: v,
                    edge: None,
                    label: Some(retry_label(&st.retry)),
                    lane: 0,
                    y1: 0.0,
                    y2: 0.0,
                    label_y: 0.0,
                });
            }
        }
    }
    for (ei, g) in gedges.iter_mut().enumerate() {
        g.label = bundle_label(&g.members);
        g.label_w = g.label.as_deref().map_or(0.0, label_width);
        if g.from == g.to {
            loops.push(Loop {
                vertex: g.from,
                edge: Some(ei),
                label: g.label.clone(),
                lane: 0,
                y1: 0.0,
                y2: 0.0,
                label_y: 0.0,
            });
        }
    }
    let is_loop = |g: &GEdge| g.from == g.to;

    // Cycle breaking: DFS from Start, then from each state not yet reached, in definition order.
    let mut out: Vec<Vec<usize>> = vec![Vec::new(); nv];
    for (ei, g) in gedges.iter().enumerate() {
        if !is_loop(g) {
            if let Some(o) = out.get_mut(g.from) {
                o.push(ei);
            }
        }
    }
    let mut search =
        Search { color: vec![0; nv], pre: vec![usize::MAX; nv], count: 0, back: vec![false; gedges.len()] };
    search.dfs(0, &out, &gedges);
    let reached: Vec<bool> = search.color.iter().map(|&c| c != 0).collect();
    for v in 1..=n {
        search.dfs(v, &out, &gedges);
    }

    // Layering: longest path over the DFS's DAG edges, reachable part first, then the rest
    // below it; End below everything.
    let layer = {
        let in_dag = |ei: usize, g: &GEdge| {
            !at(&search.back, ei)
                && !is_loop(g)
                && g.to != end
                && g.from != end
                && at(&reached, g.from) == at(&reached, g.to)
        };
        let mut indeg = vec![0usize; nv];
        for (ei, g) in gedges.iter().enumerate() {
            if in_dag(ei, g) {
                let d = at(&indeg, g.to) + 1;
                put(&mut indeg, g.to, d);
            }
        }
        let mut layer = vec![0usize; nv];
        let mut done = vec![false; nv];
        let mut max_layer = 0;
        for part in [true, false] {
            let base = if part { 0 } else { max_layer + 1 };
            let mut queue: VecDeque<usize> = (0..end)
                .filter(|&v| at(&reached, v) == part && at(&indeg, v) == 0 && (part || v != 0))
                .collect();
            for &v in &queue {
                put(&mut layer, v, base);
            }
            while let Some(v) = queue.pop_front() {
                put(&mut done, v, true);
                let lv = at(&layer, v);
                max_layer = max_layer.max(lv);
                for &ei in out.get(v).map_or(&[][..], |o| o.as_slice()) {
                    let Some(g) = gedges.get(ei) else { continue };
                    if !in_dag(ei, g) {
                        continue;
                    }
                    let l = at(&layer, g.to).max(lv + 1);
                    put(&mut layer, g.to, l);
                    let d = at(&indeg, g.to).saturating_sub(1);
                    put(&mut indeg, g.to, d);
                    if d == 0 {
                        queue.push_back(g.to);
                    }
                }
            }
        }
        // Only a bug could leave a vertex unplaced; put it at the bottom rather than lose it.
        for v in 0..end {
            if !at(&done, v) {
                max_layer += 1;
                put(&mut layer, v, max_layer);
            }
        }
        put(&mut layer, end, max_layer + 1);
        layer
    };
    let nrows = 2 * at(&layer, end) + 1;

    // Items: the vertices first (item i is vertex i), then dummies.
    let mut items: Vec<Item> = verts
        .iter()
        .enumerate()
        .map(|(v, vert)| Item {
            row: 2 * at(&layer, v),
            dummy: false,
            lext: vert.w / 2.0,
            rext: vert.w / 2.0,
            h: vert.h,
            up: Vec::new(),
            down: Vec::new(),
            key: (at(&search.pre, v), 0),
        })
        .collect();
    let mut links: Vec<Link> = Vec::new();
    let mut chains: Vec<Chain> = Vec::new();
    // Long forward edges into the same target, in the same style, share a trunk of dummies:
    // otherwise n edges spanning m rows cost n·m dummies and draw n parallel lines (think of
    // every Task catching into one handler). Each keeps one dummy of its own, for its label.
    let shares = |g: &GEdge| at(&layer, g.to) >= at(&layer, g.from) + 2;
    let mut groups: HashMap<(usize, bool), (usize, usize)> = HashMap::new();
    for g in gedges.iter().filter(|g| !is_loop(g) && shares(g)) {
        let e = groups.entry((g.to, g.dashed)).or_insert((0, usize::MAX));
        *e = (e.0 + 1, e.1.min(at(&layer, g.from)));
    }
    let mut trunk_of: HashMap<(usize, bool), Option<usize>> = HashMap::new();
    let mut trunks: Vec<Trunk> = Vec::new();
    for (ei, g) in gedges.iter().enumerate() {
        if is_loop(g) {
            continue;
        }
        let back = at(&layer, g.to) <= at(&layer, g.from);
        let (upper, lower) = if back { (g.to, g.from) } else { (g.from, g.to) };
        let (r0, r1) = (2 * at(&layer, upper) + 1, 2 * at(&layer, lower));
        let key = (at(&search.pre, g.from), ei + 1);
        let mut chain = Chain {
            edge: ei,
            back,
            upper,
            lower,
            dummies: Vec::new(),
            trunk: None,
            label_item: None,
            first_link: None,
            last_link: None,
            upper_off: 0.0,
            lower_off: 0.0,
            upper_y: 0.0,
            lower_y: 0.0,
        };
        let group = groups.get(&(g.to, g.dashed)).copied().filter(|&(n, _)| n >= 2 && !back && shares(g));
        let trunk = match group {
            Some((_, top_layer)) => *trunk_of.entry((g.to, g.dashed)).or_insert_with(|| {
                let rows = 2 * top_layer + 2..r1;
                (rows.len() <= ctx.budget).then(|| {
                    ctx.budget -= rows.len();
                    let mut t = Trunk { first_row: rows.start, items: Vec::new(), last_link: None };
                    for row in rows {
                        t.items.push(new_dummy(&mut items, row, key));
                    }
                    let path: Vec<usize> = t.items.iter().copied().chain(std::iter::once(lower)).collect();
                    for pair in path.windows(2) {
                        let prio = if g.dashed { 0 } else { 2 };
                        t.last_link = Some(new_link(
                            &mut items,
                            &mut links,
                            at(pair, 0),
                            at(pair, 1),
                            false,
                            true,
                            prio,
                        ));
                    }
                    trunks.push(t);
                    trunks.len() - 1
                })
            }),
            None => None,
        };
        let need = if trunk.is_some() { 1 } else { r1.saturating_sub(r0) };
        if need > 0 && need <= ctx.budget {
            ctx.budget -= need;
            for row in r0..r0 + need {
                chain.dummies.push(new_dummy(&mut items, row, key));
            }
            // The label sits on the dummy next to the source: under it, or above it for a back edge.
            let label_item = if back { chain.dummies.last() } else { chain.dummies.first() }.copied();
            if let (Some(li), Some(_)) = (label_item, &g.label) {
                if let Some(it) = items.get_mut(li) {
                    it.lext = 2.0;
                    it.rext = 4.0 + g.label_w;
                    it.h = LABEL_H;
                }
                chain.label_item = Some(li);
            }
            let joint = trunk.and_then(|t| {
                let tr = trunks.get(t)?;
                let k = (r0 + 1).checked_sub(tr.first_row)?;
                Some((t, k, *tr.items.get(k)?, tr.last_link))
            });
            let end = joint.map_or(lower, |(_, _, item, _)| item);
            let path: Vec<usize> = std::iter::once(upper)
                .chain(chain.dummies.iter().copied())
                .chain(std::iter::once(end))
                .collect();
            for pair in path.windows(2) {
                let (a, b) = (at(pair, 0), at(pair, 1));
                let side = back && (a < nv || b < nv);
                let prio = if g.dashed {
                    0
                } else if a == upper && verts.get(lower).is_some_and(Vert::is_terminal) {
                    1
                } else {
                    2
                };
                let aligns = !side && Some(b) != joint.map(|j| j.2);
                let l = new_link(&mut items, &mut links, a, b, side, aligns, prio);
                chain.first_link.get_or_insert(l);
                chain.last_link = Some(l);
            }
            if let Some((t, k, _, last)) = joint {
                chain.trunk = Some((t, k));
                chain.last_link = last;
            }
        }
        chains.push(chain);
    }

    // Rows in initial order: DFS preorder, dummies after their source.
    let mut rows: Vec<Vec<usize>> = vec![Vec::new(); nrows];
    for (i, it) in items.iter().enumerate() {
        if let Some(r) = rows.get_mut(it.row) {
            r.push(i);
        }
    }
    let mut pos = vec![0usize; items.len()];
    for row in &mut rows {
        row.sort_by_key(|&i| items.get(i).map_or((usize::MAX, usize::MAX), |it| it.key));
        for (k, &i) in row.iter().enumerate() {
            put(&mut pos, i, k);
        }
    }
    order_rows(&mut rows, &mut pos, &items, &links);

    // Ports, side lanes and attachment heights, now that the order is known. Ports belong to
    // links, so edges sharing a trunk share its port.
    let mut back_in: Vec<Vec<usize>> = vec![Vec::new(); nv];
    let mut back_out: Vec<Vec<usize>> = vec![Vec::new(); nv];
    for (ci, c) in chains.iter().enumerate().filter(|(_, c)| c.back) {
        if let Some(l) = back_in.get_mut(c.upper) {
            l.push(ci);
        }
        if let Some(l) = back_out.get_mut(c.lower) {
            l.push(ci);
        }
    }
    let mut loops_of: Vec<Vec<usize>> = vec![Vec::new(); nv];
    for (li, l) in loops.iter().enumerate() {
        if let Some(v) = loops_of.get_mut(l.vertex) {
            v.push(li);
        }
    }
    // Where a back edge meets the row next to `v`, for ordering its lanes.
    let neighbour_pos = |c: &Chain, at_upper: bool| -> usize {
        let item = if at_upper {
            c.dummies.first().copied().unwrap_or(c.lower)
        } else {
            c.dummies.last().copied().unwrap_or(c.upper)
        };
        at(&pos, item)
    };
    for v in 0..nv {
        let Some(vert) = verts.get(v) else { continue };
        let w = vert.w;
        let sorted = |list: &[usize], at_upper: bool| -> Vec<usize> {
            let mut l = list.to_vec();
            l.sort_by_key(|&ci| (chains.get(ci).map_or(0, |c| neighbour_pos(c, at_upper)), ci));
            l
        };
        let bin = sorted(back_in.get(v).map_or(&[][..], |l| l), true);
        let bout = sorted(back_out.get(v).map_or(&[][..], |l| l), false);
        // Side lanes, inner to outer: loops, back edges in, back edges out. Attachments, top to
        // bottom: loops, outgoing inner to outer, incoming outer to inner. With that order no two
        // side routes cross.
        let my_loops = loops_of.get(v).cloned().unwrap_or_default();
        let lanes = my_loops.len() + bin.len() + bout.len();
        if lanes == 0 {
            continue;
        }
        let lane_off = |k: usize| w / 2.0 + SIDE_STEP * (k as f64 + 1.0);
        let attachments = 2 * my_loops.len() + bin.len() + bout.len();
        let (band_top, band_bot) = (6.0_f64.min(vert.band / 2.0), (vert.band - 6.0).max(vert.band / 2.0));
        let step = if attachments > 1 {
            (16.0_f64).min((band_bot - band_top) / (attachments - 1) as f64)
        } else {
            0.0
        };
        let first_y = (band_top + band_bot) / 2.0 - step * (attachments as f64 - 1.0) / 2.0;
        let mut slot = 0usize;
        let mut next_y = || {
            let y = first_y + step * slot as f64;
            slot += 1;
            y
        };
        let mut label_w: f64 = 0.0;
        // Loop labels sit beside their loops, pushed down where they would overlap; the item
        // grows to hold them, so the next row keeps clear.
        let mut label_bottom = f64::NEG_INFINITY;
        for (k, &li) in my_loops.iter().enumerate() {
            if let Some(l) = loops.get_mut(li) {
                l.lane = k;
                l.y1 = next_y();
                l.y2 = next_y();
                if let Some(label) = &l.label {
                    label_w = label_w.max(label_width(label));
                    l.label_y = ((l.y1 + l.y2) / 2.0).max(label_bottom + LABEL_H / 2.0);
                    label_bottom = l.label_y + LABEL_H / 2.0;
                }
            }
        }
        let base_in = my_loops.len();
        let base_out = base_in + bin.len();
        for (k, &ci) in bout.iter().enumerate() {
            let y = next_y();
            if let Some(c) = chains.get_mut(ci) {
                c.lower_off = lane_off(base_out + k);
                c.lower_y = y;
            }
        }
        for (k, &ci) in bin.iter().enumerate().rev() {
            let y = next_y();
            if let Some(c) = chains.get_mut(ci) {
                c.upper_off = lane_off(base_in + k);
                c.upper_y = y;
            }
        }
        if let Some(it) = items.get_mut(v) {
            it.rext = lane_off(lanes - 1) + 4.0 + if label_w > 0.0 { label_w + 4.0 } else { 0.0 };
            it.h = it.h.max(label_bottom);
        }
    }
    for c in chains.iter().filter(|c| c.back) {
        if let Some(l) = c.first_link.and_then(|l| links.get_mut(l)) {
            l.up_off = c.upper_off;
        }
        if let Some(l) = c.last_link.and_then(|l| links.get_mut(l)) {
            l.down_off = c.lower_off;
        }
    }

    // Coordinates, then the ports of forward edges, which follow from them.
    let x = place(&rows, &items, &links);
    assign_ports(&verts, &items, &mut links, &x);
    for c in chains.iter_mut().filter(|c| !c.back) {
        c.upper_off = c.first_link.and_then(|l| links.get(l)).map_or(0.0, |l| l.up_off);
        c.lower_off = c.last_link.and_then(|l| links.get(l)).map_or(0.0, |l| l.down_off);
    }
    let mut heights = vec![0.0_f64; nrows];
    for it in &items {
        if let Some(h) = heights.get_mut(it.row) {
            *h = h.max(it.h);
        }
    }
    let mut row_top = vec![0.0_f64; nrows];
    let mut y = SCOPE_PAD;
    for (r, h) in heights.iter().enumerate() {
        put(&mut row_top, r, y);
        y += h + ROW_GAP;
    }
    let total_h = y - ROW_GAP + SCOPE_PAD;
    let total_w = items.iter().enumerate().map(|(i, it)| at(&x, i) + it.rext).fold(0.0, f64::max) + SCOPE_PAD;

    // Geometry.
    let row_of = |i: usize| items.get(i).map_or(0, |it| it.row);
    let top_of = |i: usize| at(&row_top, row_of(i));
    let bottom_of_row = |r: usize| at(&row_top, r) + at(&heights, r);
    let vw = |v: usize| verts.get(v).map_or(0.0, |vt| vt.w);
    let vh = |v: usize| verts.get(v).map_or(0.0, |vt| vt.h);
    let endpoint = |v: usize| verts.get(v).map_or(Endpoint::End(scope), |vt| vt.endpoint);
    // Each trunk's route, simplified once, every point tagged with the trunk item it came from:
    // an edge joining at item k takes the points after k, not the whole trunk again.
    let trunk_routes: Vec<Vec<(usize, (f64, f64))>> = trunks
        .iter()
        .map(|t| {
            let mut pts: Vec<(usize, (f64, f64))> = Vec::with_capacity(2 * t.items.len());
            for (k, &d) in t.items.iter().enumerate() {
                let r = row_of(d);
                pts.push((k, (at(&x, d), at(&row_top, r))));
                pts.push((k, (at(&x, d), bottom_of_row(r))));
            }
            simplify_tagged(&mut pts);
            pts
        })
        .collect();
    let mut block = Block { w: total_w, h: total_h, ..Block::default() };
    for c in &chains {
        let Some(g) = gedges.get(c.edge) else { continue };
        let mut pts: Vec<(f64, f64)> = Vec::new();
        let (ux, lx) = (at(&x, c.upper), at(&x, c.lower));
        if !c.back {
            let px = ux + c.upper_off;
            pts.push((px, top_of(c.upper) + vh(c.upper)));
            pts.push((px, bottom_of_row(row_of(c.upper))));
            let joint = c
                .trunk
                .and_then(|(t, k)| Some((k, trunks.get(t)?.items.get(k).copied()?, trunk_routes.get(t)?)));
            for &d in c.dummies.iter().chain(joint.map(|j| j.1).as_slice()) {
                let r = row_of(d);
                pts.push((at(&x, d), at(&row_top, r)));
                pts.push((at(&x, d), bottom_of_row(r)));
            }
            if let Some((k, _, route)) = joint {
                pts.extend(route.iter().filter(|(tag, _)| *tag > k).map(|(_, p)| *p));
            }
            pts.push((lx + c.lower_off, top_of(c.lower)));
        } else {
            let (exit_y, lane_x) = (top_of(c.lower) + c.lower_y, lx + c.lower_off);
            pts.push((lx + vw(c.lower) / 2.0, exit_y));
            pts.push((lane_x, exit_y));
            pts.push((lane_x, top_of(c.lower)));
            for &d in c.dummies.iter().rev() {
                let r = row_of(d);
                pts.push((at(&x, d), bottom_of_row(r)));
                pts.push((at(&x, d), at(&row_top, r)));
            }
            let (entry_y, lane_x) = (top_of(c.upper) + c.upper_y, ux + c.upper_off);
            pts.push((lane_x, bottom_of_row(row_of(c.upper))));
            pts.push((lane_x, entry_y));
            pts.push((ux + vw(c.upper) / 2.0, entry_y));
        }
        simplify(&mut pts);
        let label_at = g.label.as_ref().map(|_| match c.label_item {
            Some(li) => {
                let r = row_of(li);
                (at(&x, li) + 4.0 + g.label_w / 2.0, at(&row_top, r) + at(&heights, r) / 2.0)
            }
            // Out of dummies: the middle of the line.
            None => {
                let (a, b) =
                    (pts.first().copied().unwrap_or_default(), pts.last().copied().unwrap_or_default());
                ((a.0 + b.0) / 2.0, (a.1 + b.1) / 2.0)
            }
        });
        push_members(&mut block.edges, g, endpoint(g.from), endpoint(g.to), &pts, label_at);
    }
    for l in &loops {
        let v = l.vertex;
        let right = at(&x, v) + vw(v) / 2.0;
        let lane = right + SIDE_STEP * (l.lane as f64 + 1.0);
        let (y1, y2) = (top_of(v) + l.y1, top_of(v) + l.y2);
        let pts = vec![(right, y1), (lane, y1), (lane, y2), (right, y2)];
        // Loop labels go right of the node's outermost lane, inside the room its item reserved.
        let outer = at(&x, v) + items.get(v).map_or(0.0, |it| it.rext);
        let label_w = l.label.as_deref().map_or(0.0, label_width);
        let label_at = l.label.as_ref().map(|_| (outer - label_w / 2.0, top_of(v) + l.label_y));
        match l.edge.and_then(|e| gedges.get(e)) {
            Some(g) => push_members(&mut block.edges, g, endpoint(v), endpoint(v), &pts, label_at),
            None => block.edges.push(Edge {
                from: endpoint(v),
                to: endpoint(v),
                kind: EdgeKind::RetryLoop,
                label: l.label.clone(),
                points: pts,
                label_at,
            }),
        }
    }
    for (v, vert) in verts.into_iter().enumerate() {
        let (bx, by) = (at(&x, v) - vert.w / 2.0, top_of(v));
        match vert.endpoint {
            Endpoint::State(id) => {
                let h = if vert.container.is_some() { TITLE_H } else { vert.h };
                block.nodes.push(NodeBox {
                    state: id,
                    x: bx,
                    y: by,
                    w: vert.w,
                    h,
                    label: vert.label.clone(),
                    type_name: vert.type_name,
                });
                if let Some(c) = vert.container {
                    let lanes = c
                        .lanes
                        .iter()
                        .map(|l| Lane {
                            scope: l.scope,
                            x: bx + l.x,
                            y: by + l.y,
                            w: l.w,
                            h: l.h,
                            label: l.label.clone(),
                        })
                        .collect();
                    block.containers.push(ContainerBox {
                        state: id,
                        x: bx,
                        y: by,
                        w: c.w,
                        h: c.h,
                        title: vert.label,
                        lanes,
                    });
                    for l in c.lanes {
                        block.absorb(l.block, bx + l.bx, by + l.by);
                    }
                }
            }
            marker => block.markers.push(Marker {
                endpoint: marker,
                x: bx + MARKER_R,
                y: by + MARKER_R,
                r: MARKER_R,
            }),
        }
    }
    block
}

/// Emits one [`Edge`] per machine edge of a bundle, all on the same route, the label on the
/// first.
fn push_members(
    out: &mut Vec<Edge>,
    g: &GEdge,
    from: Endpoint,
    to: Endpoint,
    pts: &[(f64, f64)],
    label_at: Option<(f64, f64)>,
) {
    for (k, (kind, _)) in g.members.iter().enumerate() {
        let first = k == 0;
        out.push(Edge {
            from,
            to,
            kind: *kind,
            label: if first { g.label.clone() } else { None },
            points: pts.to_vec(),
            label_at: if first { label_at } else { None },
        });
    }
}

/// The depth-first search that finds back edges.
struct Search {
    /// 0: not seen, 1: on the stack, 2: done.
    color: Vec<u8>,
    pre: Vec<usize>,
    count: usize,
    back: Vec<bool>,
}

impl Search {
    fn dfs(&mut self, root: usize, out: &[Vec<usize>], edges: &[GEdge]) {
        if self.color.get(root) != Some(&0) {
            return;
        }
        self.enter(root);
        // Iterative: a 1,000-state chain must not recurse 1,000 deep.
        let mut stack: Vec<(usize, usize)> = vec![(root, 0)];
        while let Some(&(v, i)) = stack.last() {
            match out.get(v).and_then(|o| o.get(i)).copied() {
                Some(e) => {
                    if let Some(top) = stack.last_mut() {
                        top.1 += 1;
                    }
                    let t = edges.get(e).map_or(usize::MAX, |g| g.to);
                    match self.color.get(t) {
                        Some(0) => {
                            self.enter(t);
                            stack.push((t, 0));
                        }
                        Some(1) => put(&mut self.back, e, true),
                        _ => {}
                    }
                }
                None => {
                    put(&mut self.color, v, 2);
                    stack.pop();
                }
            }
        }
    }

    fn enter(&mut self, v: usize) {
        put(&mut self.color, v, 1);
        put(&mut self.pre, v, self.count);
        self.count += 1;
    }
}

// ---------------------------------------------------------------------------------------------
// Crossing reduction.

fn order_rows(rows: &mut [Vec<usize>], pos: &mut [usize], items: &[Item], links: &[Link]) {
    let mut best = crossings(rows, items, links, pos);
    let mut best_rows = rows.to_vec();
    for sweep in 0..ORDER_SWEEPS {
        if best == 0 {
            break;
        }
        let down = sweep % 2 == 0;
        let n = rows.len();
        for k in 1..n {
            let r = if down { k } else { n - 1 - k };
            if let Some(row) = rows.get_mut(r) {
                reorder(row, pos, items, links, down);
            }
        }
        let c = crossings(rows, items, links, pos);
        if c < best {
            best = c;
            best_rows = rows.to_vec();
        }
    }
    for (r, best_row) in rows.iter_mut().zip(best_rows) {
        *r = best_row;
        for (k, &i) in r.iter().enumerate() {
            put(pos, i, k);
        }
    }
}

/// Sorts a row by the barycenter of its neighbours in the row above (`use_up`) or below. Items
/// without neighbours there keep their slots; ties keep their order.
fn reorder(row: &mut [usize], pos: &mut [usize], items: &[Item], links: &[Link], use_up: bool) {
    let mut fixed = vec![false; row.len()];
    let mut movable: Vec<(f64, usize, usize)> = Vec::new();
    for (k, &i) in row.iter().enumerate() {
        let Some(it) = items.get(i) else {
            put(&mut fixed, k, true);
            continue;
        };
        let ls = if use_up { &it.up } else { &it.down };
        if ls.is_empty() {
            put(&mut fixed, k, true);
            continue;
        }
        let sum: f64 = ls
            .iter()
            .filter_map(|&l| links.get(l))
            .map(|lk| at(pos, if use_up { lk.up } else { lk.down }) as f64)
            .sum();
        movable.push((sum / ls.len() as f64, k, i));
    }
    movable.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let mut next = movable.into_iter();
    for (k, slot) in row.iter_mut().enumerate() {
        if !at(&fixed, k) {
            if let Some((_, _, i)) = next.next() {
                *slot = i;
            }
        }
    }
    for (k, &i) in row.iter().enumerate() {
        put(pos, i, k);
    }
}

/// Edge crossings between consecutive rows (inversions, counted with a Fenwick tree).
fn crossings(rows: &[Vec<usize>], items: &[Item], links: &[Link], pos: &[usize]) -> usize {
    let mut total = 0usize;
    let mut pairs: Vec<(usize, usize)> = Vec::new();
    let mut tree: Vec<usize> = Vec::new();
    for row in rows {
        pairs.clear();
        for &i in row {
            let Some(it) = items.get(i) else { continue };
            for lk in it.down.iter().filter_map(|&l| links.get(l)) {
                pairs.push((at(pos, lk.up), at(pos, lk.down)));
            }
        }
        if pairs.len() < 2 {
            continue;
        }
        pairs.sort_unstable();
        let size = pairs.iter().map(|p| p.1).max().unwrap_or(0) + 2;
        tree.clear();
        tree.resize(size, 0);
        for (k, &(_, b)) in pairs.iter().enumerate() {
            // Pairs so far whose lower end is right of this one's cross it.
            let mut le = 0;
            let mut j = b + 1;
            while j > 0 {
                le += at(&tree, j);
                j -= j & j.wrapping_neg();
            }
            total += k.saturating_sub(le);
            let mut j = b + 1;
            while j < tree.len() {
                if let Some(t) = tree.get_mut(j) {
                    *t += 1;
                }
                j += j & j.wrapping_neg();
            }
        }
    }
    total
}

// ---------------------------------------------------------------------------------------------
// Coordinate assignment.

/// Minimum distance between the anchors of two neighbours in a row, `a` left of `b`.
fn separation(items: &[Item], a: usize, b: usize) -> f64 {
    let (ia, ib) = (items.get(a), items.get(b));
    let sep = match (ia.is_none_or(|it| it.dummy), ib.is_none_or(|it| it.dummy)) {
        (true, true) => DUMMY_SEP,
        (false, false) => NODE_SEP,
        _ => MIXED_SEP,
    };
    ia.map_or(0.0, |it| it.rext) + sep + ib.map_or(0.0, |it| it.lext)
}

/// Anchor x of every item, by Brandes–Köpf as dagre does it: four alignments (each item with
/// the median of its neighbours above or below, scanning rows left or right), each compacted;
/// the four aligned on the narrowest and balanced (mean of the two middle values); then each row
/// projected back onto its spacing constraints, since the balance alone does not guarantee them.
/// Chains of single edges and long edges come out straight; parents sit over their children.
fn place(rows: &[Vec<usize>], items: &[Item], links: &[Link]) -> Vec<f64> {
    let n = items.len();
    let mut pos = vec![0usize; n];
    for row in rows {
        for (k, &i) in row.iter().enumerate() {
            put(&mut pos, i, k);
        }
    }
    // Links that may line their ends up: not crossing an inner segment, and ranked best among
    // the links of both ends (two edges leaving one Choice must not fight over it: the main flow
    // wins in every pass, or the passes disagree and their average bends the main flow).
    let mut eligible = type1_conflicts(rows, items, links, &pos);
    for e in eligible.iter_mut() {
        *e = !*e;
    }
    let best =
        |ls: &[usize]| ls.iter().filter_map(|&l| links.get(l)).filter(|lk| lk.aligns).map(|lk| lk.prio).max();
    for (l, lk) in links.iter().enumerate() {
        let top = items.get(lk.up).and_then(|it| best(&it.down));
        let bottom = items.get(lk.down).and_then(|it| best(&it.up));
        if !lk.aligns || top != Some(lk.prio) || bottom != Some(lk.prio) {
            put(&mut eligible, l, false);
        }
    }
    let mut layouts: Vec<Vec<f64>> = [(false, false), (false, true), (true, false), (true, true)]
        .into_iter()
        .map(|(down, right)| bk_variant(rows, items, links, &pos, &eligible, down, right))
        .collect();
    let extent = |xs: &[f64]| {
        items.iter().enumerate().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), (i, it)| {
            (lo.min(at(xs, i) - it.lext), hi.max(at(xs, i) + it.rext))
        })
    };
    let extents: Vec<(f64, f64)> = layouts.iter().map(|xs| extent(xs)).collect();
    let narrowest = extents
        .iter()
        .enumerate()
        .min_by(|a, b| (a.1 .1 - a.1 .0).total_cmp(&(b.1 .1 - b.1 .0)))
        .map_or((0.0, 0.0), |(_, e)| *e);
    for (k, xs) in layouts.iter_mut().enumerate() {
        let (lo, hi) = at(&extents, k);
        // Left-scanning layouts align their left edges, right-scanning ones their right edges.
        let delta = if k % 2 == 1 { narrowest.1 - hi } else { narrowest.0 - lo };
        if delta.is_finite() {
            for x in xs.iter_mut() {
                *x += delta;
            }
        }
    }
    let mut x: Vec<f64> = (0..n)
        .map(|i| {
            let mut v: Vec<f64> = layouts.iter().map(|xs| at(xs, i)).collect();
            v.sort_by(f64::total_cmp);
            (at(&v, 1) + at(&v, 2)) / 2.0
        })
        .collect();
    let mut target = Vec::new();
    let mut gaps = Vec::new();
    for row in rows {
        target.clear();
        gaps.clear();
        target.extend(row.iter().map(|&i| at(&x, i)));
        gaps.extend(row.windows(2).map(|w| separation(items, at(w, 0), at(w, 1))));
        // Edges give way before boxes do.
        let weight: Vec<f64> =
            row.iter().map(|&i| if items.get(i).is_some_and(|it| it.dummy) { 1.0 } else { 10.0 }).collect();
        for (&i, xi) in row.iter().zip(isotonic(&target, &weight, &gaps)) {
            put(&mut x, i, xi);
        }
    }
    straighten(rows, items, links, &mut x);
    // Normalise so the leftmost extent sits at the scope's padding.
    let (min_left, _) = extent(&x);
    if min_left.is_finite() {
        for xi in &mut x {
            *xi += SCOPE_PAD - min_left;
        }
    }
    x
}

/// Brandes–Köpf packs a dummy it could not align tightly against its neighbours, which kinks
/// its edge. Pull each dummy into the span between its neighbours' attachment points (where an
/// edge has no reason to bend), vertices held still, each row kept to its spacing.
fn straighten(rows: &[Vec<usize>], items: &[Item], links: &[Link], x: &mut [f64]) {
    const SWEEPS: usize = 4;
    let n = rows.len();
    let (mut target, mut weight, mut gaps) = (Vec::new(), Vec::new(), Vec::new());
    for sweep in 0..SWEEPS {
        for k in 0..n {
            let r = if sweep % 2 == 0 { k } else { n - 1 - k };
            let Some(row) = rows.get(r) else { continue };
            target.clear();
            weight.clear();
            gaps.clear();
            for &i in row {
                let xi = at(x, i);
                match items.get(i) {
                    Some(it) if it.dummy => {
                        let ends = it
                            .up
                            .iter()
                            .filter_map(|&l| links.get(l))
                            .map(|lk| at(x, lk.up) + lk.up_off - lk.down_off)
                            .chain(
                                it.down
                                    .iter()
                                    .filter_map(|&l| links.get(l))
                                    .map(|lk| at(x, lk.down) + lk.down_off - lk.up_off),
                            );
                        let (lo, hi) = ends
                            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), e| (lo.min(e), hi.max(e)));
                        target.push(if lo <= hi { xi.clamp(lo, hi) } else { xi });
                        weight.push(1.0);
                    }
                    _ => {
                        target.push(xi);
                        weight.push(1e6);
                    }
                }
            }
            gaps.extend(row.windows(2).map(|w| separation(items, at(w, 0), at(w, 1))));
            for (&i, xi) in row.iter().zip(isotonic(&target, &weight, &gaps)) {
                put(x, i, xi);
            }
        }
    }
}

/// Marks the links that cross an inner segment (a link between two dummies), so alignment
/// prefers keeping long edges straight.
fn type1_conflicts(rows: &[Vec<usize>], items: &[Item], links: &[Link], pos: &[usize]) -> Vec<bool> {
    let mut marked = vec![false; links.len()];
    let dummy = |i: usize| items.get(i).is_some_and(|it| it.dummy);
    let ups = |i: usize| items.get(i).map_or(&[][..], |it| it.up.as_slice());
    for (r, row) in rows.iter().enumerate().skip(1) {
        let prev_len = rows.get(r - 1).map_or(0, Vec::len);
        let (mut k0, mut scan) = (0usize, 0usize);
        for (i, &v) in row.iter().enumerate() {
            let inner = if dummy(v) {
                ups(v).iter().filter_map(|&l| links.get(l)).find(|lk| dummy(lk.up)).map(|lk| lk.up)
            } else {
                None
            };
            let k1 = inner.map_or(prev_len, |w| at(pos, w));
            if inner.is_some() || i + 1 == row.len() {
                for &s in row.get(scan..=i).unwrap_or(&[]) {
                    for &l in ups(s) {
                        let Some(lk) = links.get(l) else { continue };
                        let p = at(pos, lk.up);
                        if (p < k0 || k1 < p) && !(dummy(lk.up) && dummy(s)) {
                            put(&mut marked, l, true);
                        }
                    }
                }
                scan = i + 1;
                k0 = k1;
            }
        }
    }
    marked
}

/// One Brandes–Köpf layout: align with neighbours above (or below, `down`) through `eligible`
/// links, scanning rows left to right (or right to left, `right`, computed mirrored), then
/// compact the blocks.
fn bk_variant(
    rows: &[Vec<usize>],
    items: &[Item],
    links: &[Link],
    pos: &[usize],
    eligible: &[bool],
    down: bool,
    right: bool,
) -> Vec<f64> {
    let n = items.len();
    let sign = if right { -1.0 } else { 1.0 };
    let row_len = |i: usize| items.get(i).and_then(|it| rows.get(it.row)).map_or(0, Vec::len);
    let opos = |i: usize| if right { row_len(i).saturating_sub(1 + at(pos, i)) } else { at(pos, i) };
    let oriented = |row: &[usize]| -> Vec<usize> {
        if right {
            row.iter().rev().copied().collect()
        } else {
            row.to_vec()
        }
    };
    // Vertical alignment into blocks; `rel` is an item's x relative to its block's root, so that
    // a link's two attachment points (ports, side lanes) line up, not just the anchors.
    let mut root: Vec<usize> = (0..n).collect();
    let mut align: Vec<usize> = (0..n).collect();
    let mut rel = vec![0.0_f64; n];
    let row_order: Vec<&Vec<usize>> = if down { rows.iter().rev().collect() } else { rows.iter().collect() };
    let mut ns: Vec<(usize, usize, f64, f64, usize)> = Vec::new();
    for row in &row_order {
        let mut prev: Option<usize> = None;
        for v in oriented(row) {
            let Some(it) = items.get(v) else { continue };
            ns.clear();
            for (l, lk) in (if down { &it.down } else { &it.up })
                .iter()
                .filter(|&&l| at(eligible, l))
                .filter_map(|&l| links.get(l).map(|lk| (l, lk)))
            {
                let (w, off_w, off_v) =
                    if down { (lk.down, lk.down_off, lk.up_off) } else { (lk.up, lk.up_off, lk.down_off) };
                ns.push((opos(w), w, sign * off_w, sign * off_v, l));
            }
            if ns.is_empty() {
                continue;
            }
            ns.sort_by_key(|t| (t.0, t.4));
            let d = ns.len();
            for m in (d - 1) / 2..=d / 2 {
                let Some(&(pw, w, off_w, off_v, _)) = ns.get(m) else { continue };
                if at(&align, v) == v && prev.is_none_or(|p| p < pw) {
                    put(&mut align, w, v);
                    let r = at(&root, w);
                    put(&mut root, v, r);
                    put(&mut align, v, r);
                    let rw = at(&rel, w);
                    put(&mut rel, v, rw + off_w - off_v);
                    prev = Some(pw);
                }
            }
        }
    }
    // Horizontal compaction on the block graph: an edge between the blocks of each two
    // neighbours in a row, weighted by their separation.
    let mut bedges: Vec<(usize, usize, f64)> = Vec::new();
    for row in rows {
        for pair in oriented(row).windows(2) {
            let (a, b) = (at(pair, 0), at(pair, 1));
            let sep = if right { separation(items, b, a) } else { separation(items, a, b) };
            bedges.push((at(&root, a), at(&root, b), sep + at(&rel, a) - at(&rel, b)));
        }
    }
    bedges.sort_by_key(|e| e.0);
    let mut first_out = vec![0usize; n + 1];
    for e in &bedges {
        update(&mut first_out, e.0 + 1, |c| c + 1);
    }
    for i in 0..n {
        let before = at(&first_out, i);
        update(&mut first_out, i + 1, |c| c + before);
    }
    let out_of = |b: usize| bedges.get(at(&first_out, b)..at(&first_out, b + 1)).unwrap_or(&[]);
    let mut indeg = vec![0usize; n];
    for e in &bedges {
        update(&mut indeg, e.1, |c| c + 1);
    }
    let mut topo: Vec<usize> = (0..n).filter(|&i| at(&root, i) == i && at(&indeg, i) == 0).collect();
    let mut k = 0;
    while let Some(&b) = topo.get(k) {
        k += 1;
        for e in out_of(b) {
            let d = at(&indeg, e.1).saturating_sub(1);
            put(&mut indeg, e.1, d);
            if d == 0 {
                topo.push(e.1);
            }
        }
    }
    if topo.len() < (0..n).filter(|&i| at(&root, i) == i).count() {
        // A cycle can only come from a bug; place what is left in index order rather than fail.
        let mut seen = vec![false; n];
        for &b in &topo {
            put(&mut seen, b, true);
        }
        topo.extend((0..n).filter(|&i| at(&root, i) == i && !at(&seen, i)));
    }
    let mut xb = vec![0.0_f64; n];
    for &b in &topo {
        let xv = at(&xb, b);
        for e in out_of(b) {
            let t = at(&xb, e.1).max(xv + e.2);
            put(&mut xb, e.1, t);
        }
    }
    // Second pass: move blocks towards their right-hand neighbours where there is slack.
    for &b in topo.iter().rev() {
        let lim = out_of(b).iter().map(|e| at(&xb, e.1) - e.2).fold(f64::INFINITY, f64::min);
        if lim.is_finite() {
            update(&mut xb, b, |x| x.max(lim));
        }
    }
    (0..n).map(|i| sign * (at(&xb, at(&root, i)) + at(&rel, i))).collect()
}

/// Minimises Σ wᵢ(xᵢ − tᵢ)² subject to xᵢ₊₁ ≥ xᵢ + gᵢ, exactly, by pool adjacent violators
/// on yᵢ = xᵢ − Σ_{j<i} gⱼ (which must be non-decreasing).
fn isotonic(target: &[f64], weight: &[f64], gaps: &[f64]) -> Vec<f64> {
    let mut shift = Vec::with_capacity(target.len());
    let mut s = 0.0;
    for i in 0..target.len() {
        shift.push(s);
        s += at(gaps, i);
    }
    // Blocks of pooled values: (Σw, Σw·y, count).
    let mut blocks: Vec<(f64, f64, usize)> = Vec::new();
    for (i, &t) in target.iter().enumerate() {
        let w = at(weight, i).max(1e-9);
        blocks.push((w, w * (t - at(&shift, i)), 1));
        while blocks.len() >= 2 {
            let (Some(&b), Some(&a)) = (blocks.last(), blocks.get(blocks.len() - 2)) else { break };
            if a.1 / a.0 <= b.1 / b.0 {
                break;
            }
            blocks.pop();
            if let Some(a) = blocks.last_mut() {
                *a = (a.0 + b.0, a.1 + b.1, a.2 + b.2);
            }
        }
    }
    let mut out = Vec::with_capacity(target.len());
    for (sw, swy, count) in blocks {
        let mean = swy / sw;
        for _ in 0..count {
            out.push(mean + at(&shift, out.len()));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use std::collections::{HashMap, HashSet};
    use std::rc::Rc;

    use statelab::choice::{Op, Operand, Rule, Test};
    use statelab::jsonata::Expr;
    use statelab::machine::{
        Catcher, ChoiceBranch, ChoiceSpec, Io, Kind, MapMode, MapSpec, Next, PathField, QueryLanguage,
        Retrier, Scope, ScopeKind, State,
    };
    use statelab::path::JsonPath;
    use statelab::Value;

    use super::*;

    const TOL: f64 = 0.01;

    fn machine(text: &str) -> Rc<Machine> {
        let checked = statelab::check(text, None);
        checked.machine.unwrap_or_else(|| panic!("does not compile: {:?}", checked.diagnostics))
    }

    fn repo_file(rel: &str) -> String {
        let path = format!("{}/../../{rel}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    #[derive(Clone, Copy, Debug)]
    struct Rect {
        x: f64,
        y: f64,
        w: f64,
        h: f64,
    }

    impl Rect {
        fn overlaps(&self, o: &Rect) -> bool {
            self.x < o.x + o.w - TOL
                && o.x < self.x + self.w - TOL
                && self.y < o.y + o.h - TOL
                && o.y < self.y + self.h - TOL
        }
        fn contains(&self, o: &Rect) -> bool {
            o.x >= self.x - TOL
                && o.y >= self.y - TOL
                && o.x + o.w <= self.x + self.w + TOL
                && o.y + o.h <= self.y + self.h + TOL
        }
        fn on_bottom(&self, p: (f64, f64)) -> bool {
            (p.1 - (self.y + self.h)).abs() < TOL && p.0 >= self.x - TOL && p.0 <= self.x + self.w + TOL
        }
        fn on_top(&self, p: (f64, f64)) -> bool {
            (p.1 - self.y).abs() < TOL && p.0 >= self.x - TOL && p.0 <= self.x + self.w + TOL
        }
        fn on_right(&self, p: (f64, f64)) -> bool {
            (p.0 - (self.x + self.w)).abs() < TOL && p.1 >= self.y - TOL && p.1 <= self.y + self.h + TOL
        }
        fn on_border(&self, p: (f64, f64)) -> bool {
            let left = (p.0 - self.x).abs() < TOL && p.1 >= self.y - TOL && p.1 <= self.y + self.h + TOL;
            left || self.on_right(p) || self.on_top(p) || self.on_bottom(p)
        }
        /// Whether the segment enters the rectangle's interior (shrunk by half a unit).
        fn cut_by(&self, a: (f64, f64), b: (f64, f64)) -> bool {
            let (x0, y0, x1, y1) = (self.x + 0.5, self.y + 0.5, self.x + self.w - 0.5, self.y + self.h - 0.5);
            let (mut t0, mut t1) = (0.0_f64, 1.0_f64);
            let (dx, dy) = (b.0 - a.0, b.1 - a.1);
            for (p, q) in [(-dx, a.0 - x0), (dx, x1 - a.0), (-dy, a.1 - y0), (dy, y1 - a.1)] {
                if p.abs() < 1e-12 {
                    if q < 0.0 {
                        return false;
                    }
                } else {
                    let r = q / p;
                    if p < 0.0 {
                        t0 = t0.max(r);
                    } else {
                        t1 = t1.min(r);
                    }
                }
            }
            t0 < t1
        }
    }

    /// The box edges attach to: the container for a Parallel or Map, else the node.
    fn boxes(l: &Layout) -> HashMap<StateId, Rect> {
        let mut out: HashMap<StateId, Rect> =
            l.nodes.iter().map(|n| (n.state, Rect { x: n.x, y: n.y, w: n.w, h: n.h })).collect();
        for c in &l.containers {
            out.insert(c.state, Rect { x: c.x, y: c.y, w: c.w, h: c.h });
        }
        out
    }

    fn is_ancestor(m: &Machine, container: StateId, mut state: StateId) -> bool {
        for _ in 0..100 {
            let Some(parent) = m.scopes[m.states[state].scope].parent else { return false };
            if parent == container {
                return true;
            }
            state = parent;
        }
        false
    }

    fn edge_scope(m: &Machine, e: &Edge) -> ScopeId {
        match e.from {
            Endpoint::Start(s) | Endpoint::End(s) => s,
            Endpoint::State(id) => m.states[id].scope,
        }
    }

    /// Checks that hold for any machine, however malformed.
    fn check_basic(l: &Layout) {
        let finite_in = |x: f64, y: f64| {
            assert!(x.is_finite() && y.is_finite(), "non-finite point {x},{y}");
            assert!(
                x >= -TOL && x <= l.width + TOL && y >= -TOL && y <= l.height + TOL,
                "({x},{y}) outside {}x{}",
                l.width,
                l.height
            );
        };
        for n in &l.nodes {
            finite_in(n.x, n.y);
            finite_in(n.x + n.w, n.y + n.h);
        }
        for c in &l.containers {
            finite_in(c.x, c.y);
            finite_in(c.x + c.w, c.y + c.h);
        }
        for mk in &l.markers {
            finite_in(mk.x - mk.r, mk.y - mk.r);
            finite_in(mk.x + mk.r, mk.y + mk.r);
        }
        for e in &l.edges {
            assert!(e.points.len() >= 2, "{e:?}");
            for &(x, y) in &e.points {
                finite_in(x, y);
            }
            if let Some((x, y)) = e.label_at {
                finite_in(x, y);
            }
            assert_eq!(e.label.is_some(), e.label_at.is_some());
        }
        assert!(l.nodes.windows(2).all(|w| w[0].state < w[1].state), "nodes sorted, unique");
        for n in &l.nodes {
            assert_eq!(l.node(n.state), Some(n));
        }
        // Edges start and end on their endpoints' borders.
        let bx = boxes(l);
        let markers: HashMap<Endpoint, &Marker> = l.markers.iter().map(|mk| (mk.endpoint, mk)).collect();
        let on = |ep: Endpoint, p: (f64, f64)| match ep {
            Endpoint::State(id) => bx[&id].on_border(p),
            _ => {
                let mk = markers[&ep];
                ((p.0 - mk.x).hypot(p.1 - mk.y) - mk.r).abs() < TOL
            }
        };
        for e in &l.edges {
            assert!(on(e.from, e.points[0]), "{e:?} does not start on its source");
            assert!(on(e.to, *e.points.last().unwrap()), "{e:?} does not end on its target");
        }
    }

    /// Every invariant, for a well-formed machine.
    fn check_all(m: &Machine, l: &Layout) {
        check_basic(l);
        let bx = boxes(l);
        let markers: HashMap<Endpoint, &Marker> = l.markers.iter().map(|mk| (mk.endpoint, mk)).collect();

        // No two boxes overlap unless one is a container holding the other.
        let ids: Vec<StateId> = l.nodes.iter().map(|n| n.state).collect();
        for (i, &a) in ids.iter().enumerate() {
            for &b in &ids[i + 1..] {
                if bx[&a].overlaps(&bx[&b]) {
                    assert!(
                        is_ancestor(m, a, b) || is_ancestor(m, b, a),
                        "{} overlaps {}",
                        m.states[a].name,
                        m.states[b].name
                    );
                }
            }
        }
        // A container's title bar is its node; containers hold their lanes, lanes their states.
        for c in &l.containers {
            let node = l.node(c.state).unwrap();
            assert!((node.x - c.x).abs() < TOL && (node.y - c.y).abs() < TOL && (node.w - c.w).abs() < TOL);
            assert!((node.h - TITLE_H).abs() < TOL);
            let outer = Rect { x: c.x, y: c.y + TITLE_H, w: c.w, h: c.h - TITLE_H };
            for lane in &c.lanes {
                let lr = Rect { x: lane.x, y: lane.y, w: lane.w, h: lane.h };
                assert!(outer.contains(&lr), "container {} does not hold its lane", c.title);
                for &s in &m.scopes[lane.scope].states {
                    if let Some(r) = bx.get(&s) {
                        assert!(lr.contains(r), "lane of {} does not hold {}", c.title, m.states[s].name);
                    }
                }
                for ep in [Endpoint::Start(lane.scope), Endpoint::End(lane.scope)] {
                    let mk = markers[&ep];
                    assert!(lr.contains(&Rect {
                        x: mk.x - mk.r,
                        y: mk.y - mk.r,
                        w: 2.0 * mk.r,
                        h: 2.0 * mk.r
                    }));
                }
            }
        }
        // Forward edges go down a layer or more; back edges and loops run on the right-hand side.
        for e in &l.edges {
            let (first, last) = (e.points[0], *e.points.last().unwrap());
            if let (Endpoint::State(a), Endpoint::State(b)) = (e.from, e.to) {
                let (ra, rb) = (bx[&a], bx[&b]);
                if a == b {
                    assert!(ra.on_right(first) && ra.on_right(last), "loop {e:?}");
                } else if ra.on_bottom(first) {
                    assert!(rb.on_top(last), "{e:?}");
                    assert!(rb.y >= ra.y + ra.h + 2.0 * ROW_GAP - TOL, "layers must increase along {e:?}");
                } else {
                    assert!(ra.on_right(first) && rb.on_right(last), "back edge off the side {e:?}");
                    assert!(rb.y < ra.y, "back edge going down {e:?}");
                }
            }
        }
        // Every machine edge is drawn.
        let drawn: HashSet<(Endpoint, EdgeKind)> = l.edges.iter().map(|e| (e.from, e.kind)).collect();
        for n in &l.nodes {
            let st = &m.states[n.state];
            let from = Endpoint::State(n.state);
            if let Kind::Choice(spec) = &st.kind {
                for i in 0..spec.choices.len() {
                    assert!(drawn.contains(&(from, EdgeKind::Choice(i))), "{} rule {i}", st.name);
                }
                if spec.default.is_some() {
                    assert!(drawn.contains(&(from, EdgeKind::Default)));
                }
            }
            for i in 0..st.catch.len() {
                assert!(drawn.contains(&(from, EdgeKind::Catch(i))));
            }
            assert_eq!(drawn.contains(&(from, EdgeKind::RetryLoop)), !st.retry.is_empty());
            if !matches!(st.next, Next::Terminal) || matches!(st.kind, Kind::Succeed | Kind::Fail { .. }) {
                assert!(drawn.contains(&(from, EdgeKind::Next)), "{} has no Next edge", st.name);
            }
        }
        // Labels and edges keep off the nodes of their scope (checked exhaustively on small machines).
        let by_scope: HashMap<ScopeId, Vec<StateId>> = ids.iter().fold(HashMap::new(), |mut acc, &s| {
            acc.entry(m.states[s].scope).or_default().push(s);
            acc
        });
        let small = ids.len() <= 200;
        let mut labels: HashMap<ScopeId, Vec<Rect>> = HashMap::new();
        for e in &l.edges {
            if let (Some(label), Some((cx, cy))) = (&e.label, e.label_at) {
                let w = label_width(label);
                let r = Rect { x: cx - w / 2.0, y: cy - LABEL_H / 2.0, w, h: LABEL_H };
                let others = labels.entry(edge_scope(m, e)).or_default();
                if small {
                    assert!(!others.iter().any(|o| o.overlaps(&r)), "label {label:?} overlaps another");
                }
                others.push(r);
            }
        }
        for e in &l.edges {
            let scope = edge_scope(m, e);
            let peers = by_scope.get(&scope).map_or(&[][..], |v| v.as_slice());
            if let (Some(label), Some((cx, cy))) = (&e.label, e.label_at) {
                let w = label_width(label);
                let lr = Rect { x: cx - w / 2.0, y: cy - LABEL_H / 2.0, w, h: LABEL_H };
                for s in peers {
                    assert!(!lr.overlaps(&bx[s]), "label {label:?} overlaps {}", m.states[*s].name);
                }
            }
            if !small {
                continue;
            }
            for s in peers {
                if e.from == Endpoint::State(*s) || e.to == Endpoint::State(*s) {
                    continue;
                }
                for seg in e.points.windows(2) {
                    assert!(!bx[s].cut_by(seg[0], seg[1]), "{e:?} crosses {}", m.states[*s].name);
                }
            }
        }
    }

    // --- Machines built by hand, for shapes the compiler refuses (unreachable states, dangling
    // ids) and for the fuzz test.

    fn bare_state(name: &str, scope: ScopeId) -> State {
        State {
            name: name.into(),
            scope,
            pointer: String::new(),
            query_language: QueryLanguage::JSONPath,
            kind: Kind::Pass { result: None },
            next: Next::End,
            io: Io::default(),
            retry: Vec::new(),
            catch: Vec::new(),
            assign: None,
            comment: None,
            uses_context: false,
        }
    }

    fn bare_machine(states: Vec<State>, scopes: Vec<Scope>) -> Machine {
        Machine {
            states,
            scopes,
            comment: None,
            timeout_seconds: None,
            query_language: QueryLanguage::JSONPath,
            definition_size: 0,
            definition: Value::Null,
        }
    }

    fn scope(start: StateId, states: Vec<StateId>, parent: Option<StateId>, kind: ScopeKind) -> Scope {
        Scope { start, states, parent, kind, pointer: String::new() }
    }

    fn cond(text: &str) -> Rule {
        Rule::Condition(Rc::new(Expr::parse(text).unwrap()))
    }

    fn retrier() -> Retrier {
        Retrier {
            error_equals: vec!["States.ALL".into()],
            interval_seconds: 1.0,
            max_attempts: 3,
            backoff_rate: 2.0,
            max_delay_seconds: None,
            jitter_full: false,
        }
    }

    fn catcher(next: StateId) -> Catcher {
        Catcher {
            error_equals: vec!["States.TaskFailed".into(), "States.Timeout".into()],
            next,
            result_path: PathField::Default,
            assign: None,
            output: None,
        }
    }

    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n.max(1) as u64) as usize
        }
        fn chance(&mut self, percent: u64) -> bool {
            self.next() % 100 < percent
        }
    }

    struct Gen<'a> {
        rng: &'a mut Rng,
        states: Vec<State>,
        scopes: Vec<Scope>,
        /// Only edges to later states (and End): the graph is a DAG.
        dag: bool,
        /// Dangling ids now and then.
        malformed: bool,
    }

    impl Gen<'_> {
        fn scope(&mut self, depth: usize, parent: Option<StateId>, kind: ScopeKind) -> ScopeId {
            let sid = self.scopes.len();
            self.scopes.push(scope(0, Vec::new(), parent, kind));
            let n = if self.rng.chance(4) { 0 } else { 1 + self.rng.below(8) };
            let base = self.states.len();
            for i in 0..n {
                let name = if self.rng.chance(5) {
                    format!("S{sid}_{i}_{}", "x".repeat(74))
                } else {
                    format!("S{sid}_{i}")
                };
                self.states.push(bare_state(&name, sid));
            }
            for i in 0..n {
                let id = base + i;
                let can_branch = !self.dag || i + 1 < n;
                let (kind, terminal) = match self.rng.below(100) {
                    0..=39 => (Kind::Pass { result: None }, false),
                    40..=59 if can_branch => {
                        let choices = (0..1 + self.rng.below(4))
                            .map(|k| ChoiceBranch {
                                rule: cond(&format!("$x = {k}")),
                                next: self.target(base, i, n),
                                assign: None,
                                output: None,
                            })
                            .collect();
                        let default = if self.rng.chance(50) { Some(self.target(base, i, n)) } else { None };
                        (Kind::Choice(Box::new(ChoiceSpec { choices, default })), true)
                    }
                    60..=67 => (Kind::Succeed, true),
                    68..=74 => (Kind::Fail { error: None, cause: None }, true),
                    75..=86 if depth < 3 => {
                        let branches = (0..1 + self.rng.below(3))
                            .map(|b| self.scope(depth + 1, Some(id), ScopeKind::Branch(b)))
                            .collect();
                        (Kind::Parallel { branches }, false)
                    }
                    87..=99 if depth < 3 => {
                        let processor = self.scope(depth + 1, Some(id), ScopeKind::Processor);
                        (
                            Kind::Map(Box::new(MapSpec {
                                processor,
                                mode: MapMode::Inline,
                                items_path: PathField::Default,
                                items: None,
                                item_selector: None,
                                max_concurrency: None,
                                item_reader: None,
                                item_batcher: None,
                                result_writer: None,
                                tolerated_failure_count: None,
                                tolerated_failure_percentage: None,
                                label: None,
                            })),
                            false,
                        )
                    }
                    _ => (
                        Kind::Wait(statelab::machine::WaitSpec::Seconds(
                            statelab::machine::NumberSource::Const(1.0),
                        )),
                        false,
                    ),
                };
                let next = if terminal {
                    Next::Terminal
                } else if self.rng.chance(70) && can_branch {
                    Next::State(self.target(base, i, n))
                } else {
                    Next::End
                };
                let retry = if self.rng.chance(20) { vec![retrier()] } else { Vec::new() };
                let catch = if !terminal && self.rng.chance(20) && can_branch {
                    (0..1 + self.rng.below(2)).map(|_| catcher(self.target(base, i, n))).collect()
                } else {
                    Vec::new()
                };
                let st = &mut self.states[id];
                st.kind = kind;
                st.next = next;
                st.retry = retry;
                st.catch = catch;
            }
            let start =
                if n == 0 || self.dag || self.rng.chance(80) { base } else { base + self.rng.below(n) };
            let start = if self.malformed && self.rng.chance(10) { 999_999 } else { start };
            self.scopes[sid].start = start;
            self.scopes[sid].states = (base..base + n).collect();
            sid
        }

        fn target(&mut self, base: usize, i: usize, n: usize) -> StateId {
            if self.malformed && self.rng.chance(5) {
                return 999_999;
            }
            if self.dag {
                base + i + 1 + self.rng.below(n - i - 1)
            } else {
                base + self.rng.below(n)
            }
        }
    }

    fn random_machine(rng: &mut Rng, dag: bool, malformed: bool) -> Machine {
        let mut g = Gen { rng, states: Vec::new(), scopes: Vec::new(), dag, malformed };
        g.scope(0, None, ScopeKind::Root);
        bare_machine(g.states, g.scopes)
    }

    // --- The tests.

    #[test]
    fn rule_labels_are_short_and_readable() {
        let m = machine(
            r#"{"StartAt": "C", "States": {
                "C": {"Type": "Choice", "Choices": [
                    {"Variable": "$.foo", "NumericEquals": 1, "Next": "A"},
                    {"Variable": "$.x", "IsPresent": true, "Next": "A"},
                    {"Variable": "$.x", "IsNull": false, "Next": "A"},
                    {"And": [{"Variable": "$.a", "StringEquals": "x"}, {"Variable": "$.b", "NumericGreaterThanPath": "$.c"}], "Next": "A"},
                    {"Not": {"Variable": "$.t", "TimestampLessThan": "2024-01-01T00:00:00Z"}, "Next": "A"},
                    {"Or": [{"Variable": "$.name", "StringMatches": "al*"}, {"Variable": "$.flag", "BooleanEquals": true},
                            {"Variable": "$.very.long.path.to.something", "NumericLessThanEquals": 12.5}], "Next": "A"}
                ], "Default": "A"},
                "A": {"Type": "Succeed"}}}"#,
        );
        let Kind::Choice(spec) = &m.states[m.find(0, "C").unwrap()].kind else { panic!() };
        let labels: Vec<String> = spec.choices.iter().map(|b| rule_label(&b.rule)).collect();
        assert_eq!(labels[0], "$.foo == 1");
        assert_eq!(labels[1], "$.x IsPresent");
        assert_eq!(labels[2], "$.x not IsNull");
        assert_eq!(labels[3], r#"And($.a == "x", $.b > $.c)"#);
        assert_eq!(labels[4], "Not($.t < 2024-01-01T00:00:00Z)");
        assert!(labels[5].starts_with(r#"Or($.name matches "al*", $.flag == true"#), "{}", labels[5]);
        assert_eq!(labels[5].chars().count(), MAX_LABEL_CHARS);
        assert!(labels[5].ends_with('…'));
        let path = JsonPath::parse("$.n").unwrap();
        let rule = Rule::Compare { variable: path, test: Test::Numeric(Op::Ge, Operand::Const(-2.5)) };
        assert_eq!(rule_label(&rule), "$.n >= -2.5");
        // Deep nesting stops early instead of building a huge string.
        let mut deep = cond("true");
        for _ in 0..100 {
            deep = Rule::Not(Box::new(deep));
        }
        assert_eq!(rule_label(&deep).chars().count(), MAX_LABEL_CHARS);
    }

    #[test]
    fn a_chain_reads_top_to_bottom() {
        let m = machine(
            r#"{"StartAt": "A", "States": {
                "A": {"Type": "Pass", "Next": "B"},
                "B": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:f", "Next": "C",
                      "Retry": [{"ErrorEquals": ["States.ALL"]}]},
                "C": {"Type": "Succeed"}}}"#,
        );
        let l = layout(&m);
        check_all(&m, &l);
        let [a, b, c] = ["A", "B", "C"].map(|n| l.node(m.find(0, n).unwrap()).unwrap().clone());
        assert!(a.y < b.y && b.y < c.y);
        // Centred on one vertical line, Start above, End below.
        assert!((a.x + a.w / 2.0 - (c.x + c.w / 2.0)).abs() < 1.0);
        let start = l.markers.iter().find(|mk| mk.endpoint == Endpoint::Start(0)).unwrap();
        let end = l.markers.iter().find(|mk| mk.endpoint == Endpoint::End(0)).unwrap();
        assert!(start.y < a.y && end.y > c.y + c.h);
        assert!((start.x - (a.x + a.w / 2.0)).abs() < 1.0);
        assert_eq!(b.type_name, "Task");
        let retry = l.edges.iter().find(|e| e.kind == EdgeKind::RetryLoop).unwrap();
        assert_eq!(retry.label.as_deref(), Some("Retry States.ALL"));
        assert_eq!(l.edges.len(), 5, "Start→A, A→B, B→C, C→End, the retry loop");
    }

    #[test]
    fn gallery_examples_lay_out() {
        let dir = format!("{}/../../www/examples", env!("CARGO_MANIFEST_DIR"));
        let mut seen = 0;
        let mut names: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
        names.sort();
        for path in names {
            let text = std::fs::read_to_string(&path).unwrap();
            let text = if path.extension().is_some_and(|e| e == "json") {
                let v: serde_json::Value = serde_json::from_str(&text).unwrap();
                serde_json::to_string(&v["definition"]).unwrap()
            } else {
                text
            };
            let m = machine(&text);
            let l = layout(&m);
            check_all(&m, &l);
            assert_eq!(l, layout(&m), "{path:?} is deterministic");
            seen += 1;
        }
        assert!(seen >= 8, "found {seen} examples");
    }

    #[test]
    fn bench_machines_lay_out_fast() {
        for name in ["tasks", "choice", "loop", "map", "parallel", "data"] {
            let m = machine(&repo_file(&format!("tests/cases/layout/{name}.asl.json")));
            let t = std::time::Instant::now();
            let l = layout(&m);
            let took = t.elapsed();
            eprintln!("layout of {name} ({} states): {took:?} (debug build)", m.states.len());
            check_all(&m, &l);
            // The budget is 100 ms in a release build; a debug build is several times slower.
            assert!(took.as_millis() < 2_000, "{name} took {took:?}");
        }
    }

    #[test]
    fn choice_rules_to_one_state_share_a_route() {
        let m = machine(&repo_file("tests/cases/layout/choice.asl.json"));
        let l = layout(&m);
        let classify = m.find(0, "Classify").unwrap();
        let rules: Vec<&Edge> = l
            .edges
            .iter()
            .filter(|e| e.from == Endpoint::State(classify) && matches!(e.kind, EdgeKind::Choice(_)))
            .collect();
        assert_eq!(rules.len(), 50);
        assert!(rules.iter().all(|e| e.points == rules[0].points));
        assert_eq!(rules.iter().filter(|e| e.label.is_some()).count(), 1);
        assert!(rules[0].label.as_deref().unwrap().ends_with(" +49 more"));
        // They loop back up to Inc: up the right-hand side.
        let inc = boxes(&l)[&m.find(0, "Inc").unwrap()];
        assert!(inc.on_right(*rules[0].points.last().unwrap()));
    }

    #[test]
    fn dags_have_no_back_edges() {
        let mut rng = Rng(0x5eed_1234_abcd);
        for _ in 0..200 {
            let m = random_machine(&mut rng, true, false);
            let l = layout(&m);
            check_all(&m, &l);
            let bx = boxes(&l);
            // States nothing reaches are drawn below the rest, so their edges may go up.
            let mut reached: HashSet<Endpoint> = (0..m.scopes.len()).map(Endpoint::Start).collect();
            loop {
                let before = reached.len();
                for e in &l.edges {
                    if reached.contains(&e.from) {
                        reached.insert(e.to);
                    }
                }
                if reached.len() == before {
                    break;
                }
            }
            for e in &l.edges {
                if let (Endpoint::State(a), Endpoint::State(b)) = (e.from, e.to) {
                    if a != b && reached.contains(&e.from) {
                        assert!(bx[&a].on_bottom(e.points[0]), "forward edge drawn as back edge: {e:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn random_machines_keep_the_invariants() {
        let mut rng = Rng(0x0dd_ba11_cafe);
        for i in 0..500 {
            let m = random_machine(&mut rng, false, false);
            let l = layout(&m);
            check_all(&m, &l);
            if i % 50 == 0 {
                assert_eq!(l, layout(&m));
            }
        }
    }

    #[test]
    fn malformed_machines_never_panic() {
        let mut rng = Rng(0xbad_f00d);
        for _ in 0..300 {
            let m = random_machine(&mut rng, false, true);
            check_basic(&layout(&m));
        }
        // No scopes at all; a scope listing a missing state and a state twice; a Parallel whose
        // branch is its own scope; a Map whose processor does not exist.
        assert_eq!(layout(&bare_machine(Vec::new(), Vec::new())), Layout::default());
        let mut a = bare_state("A", 0);
        a.kind = Kind::Parallel { branches: vec![0, 1, 7] };
        let mut b = bare_state("B", 1);
        b.next = Next::State(0);
        let m = bare_machine(
            vec![a, b],
            vec![
                scope(0, vec![0, 5, 0, 1], None, ScopeKind::Root),
                scope(1, vec![1], Some(0), ScopeKind::Branch(1)),
            ],
        );
        let l = layout(&m);
        check_basic(&l);
        assert_eq!(l.nodes.len(), 2);
    }

    #[test]
    fn unreachable_states_go_below_the_rest() {
        // A → B → End; C and D are not reachable (D → A points back up).
        let mut a = bare_state("A", 0);
        a.next = Next::State(1);
        let b = bare_state("B", 0);
        let mut c = bare_state("C", 0);
        c.next = Next::State(3);
        let mut d = bare_state("D", 0);
        d.next = Next::State(0);
        let m = bare_machine(vec![a, b, c, d], vec![scope(0, vec![0, 1, 2, 3], None, ScopeKind::Root)]);
        let l = layout(&m);
        check_all(&m, &l);
        let y = |id| l.node(id).unwrap().y;
        assert!(y(0) < y(1) && y(1) < y(2) && y(2) < y(3));
    }

    #[test]
    fn awkward_shapes() {
        let nested = r#"{"StartAt": "P", "States": {
            "P": {"Type": "Parallel", "Next": "Done", "Branches": [
                {"StartAt": "M", "States": {"M": {"Type": "Map", "End": true, "ItemProcessor": {
                    "StartAt": "Q", "States": {"Q": {"Type": "Parallel", "End": true, "Branches": [
                        {"StartAt": "X", "States": {"X": {"Type": "Pass", "End": true}}},
                        {"StartAt": "Y", "States": {"Y": {"Type": "Fail"}}}]}}}}}},
                {"StartAt": "Z", "States": {"Z": {"Type": "Wait", "Seconds": 1, "End": true}}}]},
            "Done": {"Type": "Succeed"}}}"#;
        let long = "L".repeat(80);
        let self_loop = format!(
            r#"{{"StartAt": "{long}", "States": {{
                "{long}": {{"Type": "Pass", "Next": "C"}},
                "C": {{"Type": "Choice", "Choices": [{{"Variable": "$.again", "BooleanEquals": true, "Next": "C"}},
                                                    {{"Variable": "$.back", "BooleanEquals": true, "Next": "{long}"}},
                                                    {{"Variable": "$.on", "BooleanEquals": true, "Next": "T"}},
                                                    {{"Variable": "$.done", "BooleanEquals": true, "Next": "Done"}}]}},
                "Done": {{"Type": "Succeed"}},
                "T": {{"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:f", "Next": "C",
                       "Retry": [{{"ErrorEquals": ["States.Timeout"]}}],
                       "Catch": [{{"ErrorEquals": ["States.ALL"], "Next": "{long}"}}]}}}}}}"#
        );
        for text in [nested, self_loop.as_str()] {
            let m = machine(text);
            let l = layout(&m);
            check_all(&m, &l);
        }
        let m = machine(nested);
        let l = layout(&m);
        assert_eq!(l.containers.len(), 3);
        assert_eq!(l.containers[0].lanes.len(), 2);
        assert_eq!(l.containers[0].lanes[0].label, "Branch 1");
        assert_eq!(l.containers[1].lanes[0].label, "Item processor");
        assert_eq!(l.markers.len(), 2 * m.scopes.len());
        let m = machine(&self_loop);
        let l = layout(&m);
        let name = l.node(m.find(0, &long).unwrap()).unwrap();
        assert!(name.w <= NODE_MAX_W && name.label.ends_with('…') && name.label.chars().count() < 40);
        let c = m.find(0, "C").unwrap();
        let again = l.edges.iter().find(|e| e.kind == EdgeKind::Choice(0)).unwrap();
        assert_eq!((again.from, again.to), (Endpoint::State(c), Endpoint::State(c)));
        assert_eq!(again.label.as_deref(), Some("$.again == true"));
        // An empty scope is still Start → End.
        let m = bare_machine(Vec::new(), vec![scope(0, Vec::new(), None, ScopeKind::Root)]);
        let l = layout(&m);
        check_basic(&l);
        assert_eq!(l.markers.len(), 2);
        assert_eq!(l.edges.len(), 1);
    }

    #[test]
    fn appending_a_state_keeps_the_picture() {
        let dir = format!("{}/../../www/examples", env!("CARGO_MANIFEST_DIR"));
        let mut names: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
        names.sort();
        for path in names.into_iter().filter(|p| p.extension().is_some_and(|e| e == "json")) {
            let v: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
            let mut def = v["definition"].clone();
            let before = machine(&def.to_string());
            // The last state that ends the execution now goes on to a new one.
            let states = def["States"].as_object_mut().unwrap();
            let Some(last) = states.values_mut().rev().find(|s| s["End"] == true) else { continue };
            let obj = last.as_object_mut().unwrap();
            obj.remove("End");
            obj.insert("Next".into(), "Appended".into());
            states.insert("Appended".into(), serde_json::json!({"Type": "Pass", "End": true}));
            let after = machine(&def.to_string());
            let (l1, l2) = (layout(&before), layout(&after));
            check_all(&after, &l2);
            // The top rows do not move.
            let mut top: Vec<&NodeBox> = l1.nodes.iter().collect();
            top.sort_by(|a, b| a.y.total_cmp(&b.y));
            for n in top.iter().take(2) {
                let name = &before.states[n.state].name;
                let m =
                    l2.node(after.find(0, name).or_else(|| after.find_all(name).next()).unwrap()).unwrap();
                assert!(
                    (m.x - n.x).abs() < 1.0 && (m.y - n.y).abs() < 1.0,
                    "{path:?}: {name} moved from {n:?} to {m:?}"
                );
            }
        }
    }

    #[test]
    fn the_main_path_stays_straight() {
        // Check → Step → Check → ..., each Check with a Default to a Fail and each Step with a
        // Catch into one handler: the main path must not drift towards its side branches.
        let n = 12;
        let mut states = Vec::new();
        for k in 0..n {
            let next = if k + 1 < n { format!("Check{}", k + 1) } else { "Done".into() };
            states.push(format!(
                r#""Check{k}": {{"Type": "Choice", "Default": "Fail{k}",
                    "Choices": [{{"Variable": "$.ok", "BooleanEquals": true, "Next": "Step{k}"}}]}},
                "Step{k}": {{"Type": "Pass", "Next": "{next}"}},
                "Fail{k}": {{"Type": "Fail", "Error": "Bad"}}"#
            ));
        }
        let text = format!(
            r#"{{"StartAt": "Check0", "States": {{{}, "Done": {{"Type": "Succeed"}}}}}}"#,
            states.join(",")
        );
        let m = machine(&text);
        let l = layout(&m);
        check_all(&m, &l);
        let centre = |name: &str| {
            let b = l.node(m.find(0, name).unwrap()).unwrap();
            b.x + b.w / 2.0
        };
        let spine = centre("Check0");
        for k in 0..n {
            assert!((centre(&format!("Check{k}")) - spine).abs() < 0.5, "Check{k} is off the main path");
            assert!((centre(&format!("Step{k}")) - spine).abs() < 0.5, "Step{k} is off the main path");
            assert!(centre(&format!("Fail{k}")) > spine + 100.0, "Fail{k} is not beside the main path");
        }
        assert!((centre("Done") - spine).abs() < 0.5);
    }

    #[test]
    fn catches_into_one_handler_share_a_trunk() {
        let n = 30;
        let states: Vec<String> = (0..n)
            .map(|k| {
                let next =
                    if k + 1 < n { format!(r#""Next": "T{}""#, k + 1) } else { r#""End": true"#.into() };
                format!(
                    r#""T{k}": {{"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:f", {next},
                        "Catch": [{{"ErrorEquals": ["States.ALL"], "Next": "Handler"}}]}}"#
                )
            })
            .collect();
        let text = format!(
            r#"{{"StartAt": "T0", "States": {{{}, "Handler": {{"Type": "Fail"}}}}}}"#,
            states.join(",")
        );
        let m = machine(&text);
        let l = layout(&m);
        check_all(&m, &l);
        let catches: Vec<&Edge> = l.edges.iter().filter(|e| matches!(e.kind, EdgeKind::Catch(_))).collect();
        assert_eq!(catches.len(), n);
        // One arrival point (and one more for the last Task's, which is one layer up and needs
        // no trunk), one line down the side, not thirty.
        let mut arrivals: Vec<(f64, f64)> = catches.iter().map(|e| *e.points.last().unwrap()).collect();
        arrivals.dedup();
        assert!(arrivals.len() <= 2, "{arrivals:?}");
        assert!(l.width < 600.0, "{}", l.width);
        assert!(catches.iter().all(|e| e.points.len() <= 8), "routes are simplified");
    }

    #[test]
    fn out_of_dummies_still_draws_everything() {
        let m = machine(&repo_file("tests/cases/layout/loop.asl.json"));
        let full = layout(&m);
        for budget in [0, 1, 2, 3] {
            let l = layout_within(&m, budget);
            check_basic(&l);
            assert_eq!(l.nodes.len(), full.nodes.len());
            assert_eq!(l.edges.len(), full.edges.len());
        }
    }

    #[test]
    fn deep_nesting_fits_a_small_stack() {
        // Parallel in Parallel, 60 deep: laid out to `MAX_DEPTH`, then empty lanes. In a thread
        // with 1 MiB of stack (a wasm module's default), in a debug build.
        let nested = || {
            let depth = 60;
            let mut states = Vec::new();
            let mut scopes = vec![scope(0, vec![0], None, ScopeKind::Root)];
            for d in 0..depth {
                let mut st = bare_state(&format!("P{d}"), d);
                st.kind = Kind::Parallel { branches: vec![d + 1] };
                states.push(st);
                scopes.push(scope(d + 1, vec![d + 1], Some(d), ScopeKind::Branch(0)));
            }
            states.push(bare_state("Leaf", depth));
            layout(&bare_machine(states, scopes))
        };
        let l = std::thread::Builder::new().stack_size(1 << 20).spawn(nested).unwrap().join().unwrap();
        check_basic(&l);
        assert_eq!(l.containers.len(), MAX_DEPTH + 1);
        for pair in l.containers.windows(2) {
            let (a, b) = (&pair[0], &pair[1]);
            assert!(
                b.x > a.x && b.y > a.y && b.x + b.w < a.x + a.w && b.y + b.h < a.y + a.h,
                "nested inside"
            );
        }
    }

    #[test]
    fn several_loops_on_one_node() {
        // Retry, a Next to itself and a Catch to itself: three loops, three labels, no overlap.
        let mut a = bare_state("A", 0);
        a.next = Next::State(0);
        a.retry = vec![retrier()];
        a.catch = vec![catcher(0)];
        let b = bare_state("B", 0);
        let mut c = bare_state("C", 0);
        c.kind = Kind::Choice(Box::new(ChoiceSpec {
            choices: vec![
                ChoiceBranch { rule: cond("$a"), next: 2, assign: None, output: None },
                ChoiceBranch { rule: cond("$b"), next: 2, assign: None, output: None },
            ],
            default: Some(1),
        }));
        c.next = Next::Terminal;
        let m = bare_machine(vec![a, b, c], vec![scope(0, vec![0, 1, 2], None, ScopeKind::Root)]);
        let l = layout(&m);
        check_all(&m, &l);
        assert_eq!(
            l.edges.iter().filter(|e| e.from == e.to).count(),
            5,
            "3 on A, 2 rules sharing a loop on C"
        );
    }

    #[test]
    fn reveal_pans_a_box_into_view_only_when_it_is_out() {
        // At scale 0.5, a 100 x 40 box at (0, 1000) is drawn at y = 500 to 520: below a 300 px view.
        let (s, tx, ty) = reveal((0.5, 10.0, 0.0), (0.0, 1000.0, 100.0, 40.0), 400.0, 300.0).unwrap();
        assert_eq!((s, tx), (0.5, 10.0), "only the axis out of view moves");
        let top = 1000.0 * s + ty;
        assert!((top + 10.0 - 150.0).abs() < TOL, "centred vertically: {top}");
        assert_eq!(reveal((0.5, 10.0, 0.0), (0.0, 100.0, 100.0, 40.0), 400.0, 300.0), None);
        assert_eq!(reveal((0.5, 10.0, 0.0), (0.0, 1000.0, 100.0, 40.0), 0.0, 300.0), None);
    }

    #[test]
    fn fit_and_lookup() {
        let m = machine(r#"{"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}}"#);
        let l = layout(&m);
        let (s, tx, ty) = l.fit(1000.0, 800.0);
        assert_eq!(s, 1.0, "small graphs are not magnified");
        assert!((tx - (1000.0 - l.width) / 2.0).abs() < TOL && (ty - (800.0 - l.height) / 2.0).abs() < TOL);
        let big = layout(&machine(&repo_file("tests/cases/layout/tasks.asl.json")));
        let (s, tx, ty) = big.fit(800.0, 600.0);
        assert!(s < 0.01);
        assert!(
            big.height * s <= 600.0 - 48.0 + TOL && big.width * s <= 800.0 && tx >= 0.0 && ty >= 24.0 - TOL
        );
        assert_eq!(l.fit(0.0, f64::NAN), (1.0, 0.0, 0.0));
        // A graph that fits well enough opens fitted; one that does not opens at its top, readable.
        assert_eq!(l.open_view(1000.0, 800.0), l.fit(1000.0, 800.0));
        let (s, tx, ty) = big.open_view(800.0, 600.0);
        assert!((s - READABLE_SCALE).abs() < TOL, "{s}");
        assert!((ty - 24.0).abs() < TOL && (tx - (800.0 - big.width * s) / 2.0).abs() < TOL);
        // A wide graph too (ten branches of twenty states) opens readable, not fitted across at
        // a size no name can be read at, with its start state in view.
        for file in ["parallel", "map", "choice"] {
            let wide = layout(&machine(&repo_file(&format!("tests/cases/layout/{file}.asl.json"))));
            let (s, tx, ty) = wide.open_view(800.0, 600.0);
            let start = wide.node(0).unwrap();
            // (A Parallel's or Map's node is the title bar across its box: its middle is shown.)
            let (mid, y) = ((start.x + start.w / 2.0) * s + tx, start.y * s + ty);
            assert!(s >= SMALLEST_OPEN_SCALE, "{file}: {s}");
            assert!(
                (0.0..=800.0).contains(&mid) && y >= 0.0 && y + start.h * s <= 600.0,
                "{file}: start at {mid}, {y}"
            );
        }
        let a = l.node(0).unwrap();
        assert_eq!(l.node_at(a.x + 1.0, a.y + 1.0), Some(0));
        assert_eq!(l.node_at(-5.0, -5.0), None);
        assert!(l.node(1).is_none());
    }
}

/// `cargo test -p statelab-playground dump_svgs -- --ignored`: draws the gallery and bench
/// machines to `$LAYOUT_SVG_DIR` (default: the system temp dir) to look at.
#[cfg(test)]
mod svg_dump {
    use super::*;

    fn svg(l: &Layout) -> String {
        let mut s = format!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="{}" height="{}" font-family="sans-serif"><rect width="100%" height="100%" fill="white"/>"#,
            l.width, l.height
        );
        for c in &l.containers {
            s += &format!(
                r##"<rect x="{}" y="{}" width="{}" height="{}" fill="#f4f6fb" stroke="#99a"/>"##,
                c.x, c.y, c.w, c.h
            );
            for lane in &c.lanes {
                s += &format!(
                    r##"<rect x="{}" y="{}" width="{}" height="{}" fill="white" stroke="#ccd" stroke-dasharray="3 3"/><text x="{}" y="{}" font-size="11" fill="#667">{}</text>"##,
                    lane.x,
                    lane.y,
                    lane.w,
                    lane.h,
                    lane.x + 6.0,
                    lane.y + 15.0,
                    lane.label
                );
            }
        }
        for e in &l.edges {
            let pts: Vec<String> = e.points.iter().map(|(x, y)| format!("{x},{y}")).collect();
            let dash = if matches!(e.kind, EdgeKind::Catch(_)) { r#" stroke-dasharray="5 4""# } else { "" };
            let color = match e.kind {
                EdgeKind::Catch(_) => "#c33",
                EdgeKind::RetryLoop => "#c80",
                EdgeKind::Choice(_) | EdgeKind::Default => "#36c",
                EdgeKind::Next => "#555",
            };
            s += &format!(r#"<polyline points="{}" fill="none" stroke="{color}"{dash}/>"#, pts.join(" "));
            if let Some(&(x, y)) = e.points.last() {
                s += &format!(r#"<circle cx="{x}" cy="{y}" r="2.5" fill="{color}"/>"#);
            }
            if let (Some(label), Some((x, y))) = (&e.label, e.label_at) {
                let w = label_width(label);
                s += &format!(
                    r##"<rect x="{}" y="{}" width="{w}" height="{LABEL_H}" fill="#fffbe8" opacity="0.8"/><text x="{x}" y="{}" font-size="10" text-anchor="middle">{}</text>"##,
                    x - w / 2.0,
                    y - LABEL_H / 2.0,
                    y + 4.0,
                    label.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
                );
            }
        }
        for n in &l.nodes {
            let fill = match n.type_name {
                "Choice" => "#fde9c8",
                "Succeed" => "#d6f5d6",
                "Fail" => "#f9d0d0",
                "Parallel" | "Map" => "#dde3f3",
                _ => "#e3eefc",
            };
            s += &format!(
                r##"<rect x="{}" y="{}" width="{}" height="{}" rx="6" fill="{fill}" stroke="#557"/><text x="{}" y="{}" font-size="12" text-anchor="middle">{}</text>"##,
                n.x,
                n.y,
                n.w,
                n.h,
                n.x + n.w / 2.0,
                n.y + n.h / 2.0 + 4.0,
                n.label
            );
        }
        for m in &l.markers {
            let fill = if matches!(m.endpoint, Endpoint::Start(_)) { "#4a4" } else { "#444" };
            s += &format!(r#"<circle cx="{}" cy="{}" r="{}" fill="{fill}"/>"#, m.x, m.y, m.r);
        }
        s + "</svg>"
    }

    #[test]
    #[ignore]
    fn dump_svgs() {
        let out =
            std::env::var("LAYOUT_SVG_DIR").unwrap_or_else(|_| std::env::temp_dir().display().to_string());
        let root = format!("{}/../..", env!("CARGO_MANIFEST_DIR"));
        let mut files: Vec<std::path::PathBuf> = Vec::new();
        for dir in ["www/examples", "tests/cases/layout"] {
            files.extend(std::fs::read_dir(format!("{root}/{dir}")).unwrap().map(|e| e.unwrap().path()));
        }
        if let Ok(extra) = std::env::var("LAYOUT_SVG_EXTRA") {
            files.extend(extra.split(':').map(std::path::PathBuf::from));
        }
        for path in files {
            let text = std::fs::read_to_string(&path).unwrap();
            let text = match serde_json::from_str::<serde_json::Value>(&text) {
                Ok(v) if v.get("definition").is_some() => v["definition"].to_string(),
                _ => text,
            };
            let Some(m) = statelab::check(&text, None).machine else { continue };
            let name = path.file_name().unwrap().to_string_lossy().replace('.', "_");
            let t = std::time::Instant::now();
            let l = layout(&m);
            eprintln!("{name}: {} states, {:?}, {} x {}", m.states.len(), t.elapsed(), l.width, l.height);
            std::fs::write(format!("{out}/{name}.svg"), svg(&l)).unwrap();
        }
    }
}
