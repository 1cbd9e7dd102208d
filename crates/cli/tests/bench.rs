//! `rtcpeer bench --quick --json` end to end (the binary, with its counting allocator): one
//! JSON object whose every figure is present, positive and consistent with the counts. Speed
//! is never asserted; only the shape and the sanity of the figures.

use std::process::Command;

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_rtcpeer");

fn bench(args: &[&str]) -> (Option<i32>, String, String) {
    let out = Command::new(BIN)
        .arg("bench")
        .args(args)
        .output()
        .expect("run rtcpeer bench");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn num(v: &Value, what: &str) -> f64 {
    v.as_f64()
        .unwrap_or_else(|| panic!("{what} is not a number: {v}"))
}

fn positive(v: &Value, what: &str) -> f64 {
    let x = num(v, what);
    assert!(x.is_finite() && x > 0.0, "{what} = {x}");
    x
}

fn check_distribution(d: &Value, count: usize, what: &str) {
    let samples = d["samples_ms"].as_array().expect("samples_ms");
    assert_eq!(samples.len(), count, "{what}: {d}");
    for s in samples {
        positive(s, what);
    }
    let (min, median, p90, max) = (
        positive(&d["min_ms"], what),
        positive(&d["median_ms"], what),
        positive(&d["p90_ms"], what),
        positive(&d["max_ms"], what),
    );
    assert!(min <= median && median <= p90 && p90 <= max, "{what}: {d}");
    // A connection over loopback takes well under a minute.
    assert!(max < 60_000.0, "{what}: {d}");
}

fn check_transfer(t: &Value, size: u64, messages: u64, what: &str) {
    assert_eq!(t["message_size"], size, "{what}: {t}");
    assert_eq!(t["messages"], messages, "{what}: {t}");
    assert_eq!(t["messages_received"], messages, "{what}: {t}");
    assert_eq!(t["bytes_received"], size * messages, "{what}: {t}");
    assert_eq!(t["corrupt"], 0, "{what}: {t}");
    let secs = positive(&t["seconds"], what);
    let mbps = positive(&t["megabytes_per_second"], what);
    let rate = positive(&t["messages_per_second"], what);
    // The rates are the counts over the time.
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-6 * b.abs().max(1.0);
    assert!(
        close(mbps, (size * messages) as f64 / secs / 1e6),
        "{what}: {t}"
    );
    assert!(close(rate, messages as f64 / secs), "{what}: {t}");
    let sent = positive(&t["datagrams_sent"], what);
    let received = positive(&t["datagrams_received"], what);
    assert!(received <= sent, "{what}: {t}");
    let gap = positive(&t["longest_gap_ms"], what);
    assert!(gap <= secs * 1e3, "{what}: {t}");
    // Sending a message allocates at least once (its buffer), and not thousands of times.
    let allocs = positive(&t["allocations_per_message"], what);
    assert!(allocs < 10_000.0, "{what}: {t}");
}

#[test]
fn quick_json_has_every_figure() {
    let (code, stdout, stderr) = bench(&["--quick", "--json"]);
    assert_eq!(code, Some(0), "stdout: {stdout}\nstderr: {stderr}");
    assert_eq!(
        stdout.lines().count(),
        1,
        "one JSON object on one line: {stdout}"
    );
    let r: Value = serde_json::from_str(&stdout).expect("JSON");
    assert_eq!(r["quick"], true);
    assert!(r["version"].as_str().is_some_and(|v| !v.is_empty()));
    assert!(positive(&r["machine"]["cores"], "cores") >= 1.0);
    assert!(r["machine"]["runtime"].as_str().unwrap().contains("tokio"));
    assert_eq!(r["machine"]["address"], "127.0.0.1");
    for l in r["machine"]["load_average_before"]
        .as_array()
        .expect("load")
    {
        assert!(num(l, "load") >= 0.0);
    }

    let setup = &r["setup"];
    assert_eq!(setup["signaling"], "trickle");
    assert_eq!(setup["connections"], 3);
    check_distribution(&setup["shared_certificate"], 3, "shared certificate");
    check_distribution(
        &setup["certificate_per_connection"],
        3,
        "certificate per connection",
    );
    positive(
        &setup["certificate_generation_ms"],
        "certificate generation",
    );

    check_transfer(&r["bulk"], 65_536, 64, "bulk");
    check_transfer(&r["small"], 64, 5_000, "small");

    let memory = &r["memory"];
    assert_eq!(memory["pairs"], 4);
    assert_eq!(memory["connections"], 8);
    assert_eq!(memory["pairs_still_open"], 4);
    let heap = positive(&memory["heap_bytes_per_connection"], "heap per connection");
    // A connected peer connection holds more than 1 KiB and less than 10 MiB.
    assert!((1024.0..10.0 * 1024.0 * 1024.0).contains(&heap), "{memory}");
    num(&memory["rss_bytes_per_connection"], "RSS per connection");

    let verdicts = r["verdicts"].as_array().expect("verdicts");
    let figures: Vec<&str> = verdicts
        .iter()
        .map(|v| v["figure"].as_str().unwrap())
        .collect();
    assert_eq!(figures, ["setup", "bulk", "small", "memory"]);
    let measured = [
        num(&setup["shared_certificate"]["median_ms"], "setup"),
        num(&r["bulk"]["megabytes_per_second"], "bulk"),
        num(&r["small"]["messages_per_second"], "small"),
        heap / 1024.0,
    ];
    for (v, m) in verdicts.iter().zip(measured) {
        assert_eq!(num(&v["value"], "value"), m, "{v}");
        let target = positive(&v["target"], "target");
        let met = match v["goal"].as_str() {
            Some("<=") => m <= target,
            Some(">=") => m >= target,
            other => panic!("goal {other:?}"),
        };
        assert_eq!(v["met"], met, "{v}");
        assert!(!v["anchors"].as_array().unwrap().is_empty(), "{v}");
    }
}

#[test]
fn only_one_part_as_a_table() {
    let (code, stdout, stderr) = bench(&["--quick", "--only", "setup", "--signaling", "gathered"]);
    assert_eq!(code, Some(0), "stdout: {stdout}\nstderr: {stderr}");
    assert!(stdout.contains("load average"), "{stdout}");
    let header = stdout.lines().nth(1).unwrap_or_default();
    for column in ["figure", "rtcpeer", "target", "met"] {
        assert!(header.contains(column), "{stdout}");
    }
    let row = stdout
        .lines()
        .find(|l| l.starts_with("setup median (gathered, shared cert.)"))
        .unwrap_or_else(|| panic!("no setup row: {stdout}"));
    assert!(
        row.contains(" ms") && row.contains("<= 3 ms") && row.contains("str0m 7.3"),
        "{row}"
    );
    assert!(
        !stdout.contains("bulk,") && !stdout.contains("memory per"),
        "{stdout}"
    );
    // Not a terminal: no progress line on stderr.
    assert!(!stderr.contains('\r'), "{stderr}");

    let (code, _, stderr) = bench(&["--only", "latency"]);
    assert_eq!(code, Some(2), "{stderr}");
}
