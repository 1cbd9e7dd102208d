//! The `rtcpeer` binary end to end: `rtcpeer serve --listen 127.0.0.1:0` announces its address
//! on stderr, `rtcpeer connect URL --test NAME` prints one JSON line and exits 0 only when the
//! test passed; an unknown test is a failed result line, exit 1.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_rtcpeer");

/// Kills the server process when the test ends, however it ends.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `rtcpeer serve` on an ephemeral port; returns it and its offer URL.
fn serve() -> (Server, String) {
    let mut child = Command::new(BIN)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn rtcpeer serve");
    let stderr = child.stderr.take().expect("stderr");
    let server = Server(child);
    let (tx, rx) = mpsc::channel();
    std::thread::Builder::new()
        .name("serve-stderr".into())
        .spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(rest) = line.split("serving http://").nth(1) {
                    let addr = rest.split('/').next().unwrap_or_default().to_owned();
                    let _ = tx.send(addr);
                }
            }
        })
        .expect("reader thread");
    let addr = rx
        .recv_timeout(Duration::from_secs(20))
        .expect("the server announces its address");
    (server, format!("http://{addr}/offer"))
}

fn connect(url: &str, test: &str) -> (Option<i32>, serde_json::Value) {
    let out = Command::new(BIN)
        .args(["connect", url, "--test", test, "--timeout", "20"])
        .output()
        .expect("run rtcpeer connect");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let last = stdout.lines().last().unwrap_or_default();
    let json = serde_json::from_str(last).unwrap_or_else(|e| {
        panic!(
            "last line is not JSON ({e}): {stdout}\nstderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code(), json)
}

#[test]
fn serve_and_connect_as_processes() {
    let (_server, url) = serve();
    let (code, line) = connect(&url, "dc-echo");
    assert_eq!(line["ok"], true, "{line}");
    assert_eq!(code, Some(0));
    assert_eq!(line["test"], "dc-echo");
    assert!(line["ms_to_open"].is_u64(), "{line}");

    let (code, line) = connect(&url, "no-such-test");
    assert_eq!(code, Some(1));
    assert_eq!(line["ok"], false);
    assert_eq!(line["ms_to_open"], serde_json::Value::Null);
    assert!(
        line["detail"]
            .as_str()
            .is_some_and(|d| d.contains("unknown test")),
        "{line}"
    );
}

#[test]
fn a_failed_test_exits_1_with_the_dump_on_stderr() {
    // Nothing listens on port 9 of loopback: the POST fails.
    let out = Command::new(BIN)
        .args([
            "connect",
            "http://127.0.0.1:9/offer",
            "--test",
            "close",
            "--timeout",
            "10",
        ])
        .output()
        .expect("run rtcpeer connect");
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line: serde_json::Value =
        serde_json::from_str(stdout.lines().last().unwrap_or_default()).expect("JSON line");
    assert_eq!(line["ok"], false);
    let stderr = String::from_utf8_lossy(&out.stderr);
    for part in [
        "--- offer sent:",
        "a=candidate:",
        "--- events:",
        "iceGatheringState=complete",
    ] {
        assert!(stderr.contains(part), "{part} missing in stderr:\n{stderr}");
    }
}
