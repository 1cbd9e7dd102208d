//! The README's quick start (`examples/hello.rs`) runs against `rtcpeer serve`: it connects,
//! sends its message and returns the echo.

mod common;

#[allow(dead_code)]
#[path = "../examples/hello.rs"]
mod example;

use rtcpeer_cli::ServeConfig;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_quick_start_example_gets_its_echo() {
    let (server, url) = common::start(ServeConfig::default()).await;
    let echo = example::hello(&url).await.expect("the example runs");
    assert_eq!(echo, r#"echo: Text("hello, rtcpeer")"#);
    common::wait_until("the connection is freed", 20, || {
        server.live_connections() == 0
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_example_reports_a_server_that_is_not_there() {
    // Nothing listens on port 9 of loopback.
    let err = example::hello("http://127.0.0.1:9/offer")
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("POST http://127.0.0.1:9/offer"),
        "{err}"
    );
}
