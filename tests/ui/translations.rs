//! Every customer-facing string (`@tr` in `ui/*.slint`) has an English translation in the bundled .po file.

use std::collections::HashMap;
use std::path::Path;

/// The msgid → msgstr pairs of a .po file (single-line and continued strings).
fn parse_po(text: &str) -> HashMap<String, String> {
    let mut entries = HashMap::new();
    let (mut id, mut value, mut field) = (String::new(), String::new(), "");
    let unquote = |s: &str| s.trim().trim_matches('"').replace("\\\"", "\"").replace("\\n", "\n");
    for line in text.lines().chain(std::iter::once("")) {
        let line = line.trim();
        if let Some(rest) = line.strip_prefix("msgid ") {
            if !id.is_empty() {
                entries.insert(std::mem::take(&mut id), std::mem::take(&mut value));
            }
            id = unquote(rest);
            value.clear();
            field = "id";
        } else if let Some(rest) = line.strip_prefix("msgstr ") {
            value = unquote(rest);
            field = "str";
        } else if line.starts_with('"') {
            match field {
                "id" => id.push_str(&unquote(line)),
                "str" => value.push_str(&unquote(line)),
                _ => {}
            }
        } else if line.is_empty() && !id.is_empty() {
            entries.insert(std::mem::take(&mut id), std::mem::take(&mut value));
            field = "";
        }
    }
    entries
}

/// The `@tr("…")` strings of one .slint file.
fn tr_strings(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("@tr(") {
        rest = &rest[start + 4..];
        let Some(open) = rest.find('"') else { break };
        let body = &rest[open + 1..];
        let mut end = 0;
        let bytes = body.as_bytes();
        while end < bytes.len() && !(bytes[end] == b'"' && (end == 0 || bytes[end - 1] != b'\\')) {
            end += 1;
        }
        found.push(body[..end].replace("\\\"", "\""));
        rest = &body[end.min(body.len())..];
    }
    found
}

#[test]
fn every_tr_string_has_an_english_translation() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let po =
        std::fs::read_to_string(root.join("ui/translations/en/LC_MESSAGES/servicaja-ui.po")).expect("the .po file");
    let translations = parse_po(&po);
    let mut missing = Vec::new();
    let mut count = 0;
    for entry in std::fs::read_dir(root.join("ui")).expect("ui/") {
        let path = entry.expect("a directory entry").path();
        if path.extension().is_some_and(|e| e == "slint") {
            let text = std::fs::read_to_string(&path).expect("a .slint file");
            for s in tr_strings(&text) {
                count += 1;
                if translations.get(&s).is_none_or(|t| t.is_empty()) {
                    missing.push(format!("{}: {s}", path.file_name().unwrap_or_default().to_string_lossy()));
                }
            }
        }
    }
    assert!(count > 100, "only {count} @tr strings found: the extraction is broken");
    assert!(missing.is_empty(), "{} strings without English:\n{}", missing.len(), missing.join("\n"));
}

#[test]
fn the_po_parser_reads_continued_strings_and_the_extractor_escaped_quotes() {
    let po = "msgctxt \"A\"\nmsgid \"\"\n\"Hola, \"\n\"{}\"\nmsgstr \"Hello, {}\"\n\nmsgid \"x\"\nmsgstr \"\"\n";
    let entries = parse_po(po);
    assert_eq!(entries.get("Hola, {}").map(String::as_str), Some("Hello, {}"));
    assert_eq!(entries.get("x").map(String::as_str), Some(""));
    assert_eq!(tr_strings(r#"text: @tr("Diga \"sí\"") + @tr("No");"#), vec!["Diga \"sí\"", "No"]);
}
