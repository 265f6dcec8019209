//! The pipeline's shape, checked: no import cycle anywhere in `src/`.
//!
//! Every `crate::…`, `super::…` and child-module path in the library's code (tests
//! left out) is an edge from the file's module to the module it names. Two rules:
//! the top-level modules (table → catalogue → roster → intake → check → monthly →
//! report → …) import one another without a cycle, and so do the modules inside
//! each folder. A folder's own `mod.rs`, its facade, may use its children and be
//! used by them.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

type Module = Vec<String>;

/// Every module of the library, by its file.
fn modules(src: &Path) -> BTreeMap<Module, PathBuf> {
    let mut found = BTreeMap::new();
    let mut stack = vec![src.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("src folder") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().and_then(|e| e.to_str()) != Some("rs") {
                continue;
            }
            let rel = path.strip_prefix(src).expect("under src");
            let mut parts: Vec<String> = rel
                .iter()
                .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_string())
                .collect();
            match parts.last().map(String::as_str) {
                Some("main") if parts.len() == 1 => continue,
                Some("lib") if parts.len() == 1 => parts.clear(),
                Some("mod") => {
                    parts.pop();
                }
                _ => {}
            }
            found.insert(parts, path);
        }
    }
    found
}

/// The code of a file without its tests and comments.
fn code(path: &Path) -> String {
    let text = std::fs::read_to_string(path).expect("source");
    let text = text.split("#[cfg(test)]").next().unwrap_or("");
    text.lines()
        .map(|line| match line.find("//") {
            Some(at) => &line[..at],
            None => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The paths a file's code names, as segments: `crate::a::{b, c::d}` gives
/// `a::b` and `a::c::d`, relative to the crate or, for `super::`, to the parent.
fn paths(code: &str, start: &str) -> Vec<Vec<String>> {
    let mut found = Vec::new();
    let ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let mut rest = code;
    while let Some(at) = rest.find(start) {
        let before = rest[..at].chars().last();
        rest = &rest[at + start.len()..];
        if before.is_some_and(|c| ident(c) || c == ':') {
            continue;
        }
        let mut segments = Vec::new();
        let mut tail = rest;
        loop {
            let len = tail.find(|c: char| !ident(c)).unwrap_or(tail.len());
            if len == 0 {
                break;
            }
            segments.push(tail[..len].to_string());
            tail = &tail[len..];
            match tail.strip_prefix("::") {
                Some(t) => tail = t,
                None => break,
            }
        }
        if let Some(list) = tail.strip_prefix('{') {
            let list = &list[..list.find('}').unwrap_or(list.len())];
            for item in list.split(',') {
                let mut path = segments.clone();
                path.extend(
                    item.split("::")
                        .map(|s| s.trim().to_string())
                        .filter(|s| !s.is_empty() && s.chars().all(ident)),
                );
                found.push(path);
            }
        } else {
            found.push(segments);
        }
    }
    found
}

/// The module a path lands in: its longest prefix that is a module.
fn landing(path: &[String], known: &BTreeMap<Module, PathBuf>) -> Module {
    (0..=path.len())
        .rev()
        .map(|n| path[..n].to_vec())
        .find(|m| known.contains_key(m))
        .unwrap_or_default()
}

fn edges(known: &BTreeMap<Module, PathBuf>) -> BTreeSet<(Module, Module)> {
    let mut edges = BTreeSet::new();
    for (module, file) in known {
        let code = code(file);
        let is_facade = file.ends_with("mod.rs") || file.ends_with("lib.rs");
        // `super` is the module's parent (for a facade too: `a/mod.rs` is module `a`).
        let parent: Module = module[..module.len().saturating_sub(1)].to_vec();
        let mut targets: Vec<Vec<String>> = paths(&code, "crate::");
        targets.extend(paths(&code, "super::").into_iter().map(|p| {
            let mut full = parent.clone();
            full.extend(p);
            full
        }));
        // A facade names its children by their bare names (`rows::ReturnRow`).
        if is_facade {
            for child in known
                .keys()
                .filter(|k| k.len() == module.len() + 1 && k.starts_with(module))
            {
                let name = &child[child.len() - 1];
                for p in paths(&code, &format!("{name}::")) {
                    let mut full = child.clone();
                    full.extend(p);
                    targets.push(full);
                }
            }
        }
        for target in targets {
            let to = landing(&target, known);
            if &to != module && !to.is_empty() {
                edges.insert((module.clone(), to));
            }
        }
    }
    edges
}

/// A cycle in a graph, if there is one, as its nodes in order.
fn cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<String, u8>,
        path: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        state.insert(node.to_string(), 1);
        path.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            match state.get(next.as_str()) {
                Some(1) => {
                    let start = path.iter().position(|n| n == next).unwrap_or(0);
                    let mut found = path[start..].to_vec();
                    found.push(next.clone());
                    return Some(found);
                }
                Some(_) => {}
                None => {
                    if let Some(found) = visit(next, graph, state, path) {
                        return Some(found);
                    }
                }
            }
        }
        path.pop();
        state.insert(node.to_string(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for node in graph.keys() {
        if !state.contains_key(node.as_str())
            && let Some(found) = visit(node, graph, &mut state, &mut Vec::new())
        {
            return Some(found);
        }
    }
    None
}

/// The graphs the two rules check: top-level modules, and the children of each folder.
fn layered(
    edges: &BTreeSet<(Module, Module)>,
) -> BTreeMap<String, BTreeMap<String, BTreeSet<String>>> {
    let mut graphs: BTreeMap<String, BTreeMap<String, BTreeSet<String>>> = BTreeMap::new();
    for (from, to) in edges {
        // The deepest folder holding both, and the child of it each lies in.
        let common = from.iter().zip(to).take_while(|(a, b)| a == b).count();
        if common >= from.len() || common >= to.len() {
            continue; // a facade and its own child
        }
        let folder = if common == 0 {
            "crate".to_string()
        } else {
            from[..common].join("::")
        };
        graphs
            .entry(folder)
            .or_default()
            .entry(from[common].clone())
            .or_default()
            .insert(to[common].clone());
    }
    graphs
}

#[test]
fn no_import_cycle_in_src() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let known = modules(&src);
    assert!(
        known.contains_key(&vec!["intake".to_string()]),
        "modules found: {known:?}"
    );
    let edges = edges(&known);
    assert!(!edges.is_empty(), "no imports found");
    let mut cycles = Vec::new();
    for (folder, graph) in layered(&edges) {
        if let Some(found) = cycle(&graph) {
            cycles.push(format!("in {folder}: {}", found.join(" → ")));
        }
    }
    assert!(cycles.is_empty(), "import cycles:\n{}", cycles.join("\n"));
}

#[test]
fn the_checker_finds_a_cycle() {
    let graph: BTreeMap<String, BTreeSet<String>> = [
        ("a".to_string(), BTreeSet::from(["b".to_string()])),
        ("b".to_string(), BTreeSet::from(["c".to_string()])),
        ("c".to_string(), BTreeSet::from(["a".to_string()])),
    ]
    .into();
    assert_eq!(
        cycle(&graph),
        Some(vec!["a".into(), "b".into(), "c".into(), "a".into()])
    );
    let code = "use crate::table::{cells::cell_text, grid};\nlet x = super::rows::read(); // crate::report::x";
    assert_eq!(
        paths(
            &code
                .lines()
                .map(|l| &l[..l.find("//").unwrap_or(l.len())])
                .collect::<Vec<_>>()
                .join("\n"),
            "crate::"
        ),
        vec![
            vec!["table".to_string(), "cells".into(), "cell_text".into()],
            vec!["table".to_string(), "grid".into()],
        ]
    );
}
