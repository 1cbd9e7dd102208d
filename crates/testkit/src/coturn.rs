//! A real coturn (`turnserver`, Debian package `coturn`) on loopback for tests: finding the
//! binary, free ports, and a server with long-term credentials ([`USER`], [`PASS`], [`REALM`])
//! over UDP, TCP and (given a certificate) TLS, killed on drop with its log printed when the test
//! failed.
//!
//! Without `turnserver` on the PATH, [`turnserver`] prints a notice and returns `None`, unless
//! `CI` is set, in which case it panics: CI must install coturn (`apt-get install -y coturn`).

use std::fs::File;
use std::net::{TcpListener, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// The long-term credential username the server accepts.
pub const USER: &str = "u";
/// The password for [`USER`].
pub const PASS: &str = "p";
/// The server's realm.
pub const REALM: &str = "rtcpeer.test";

/// `turnserver`'s path, or `None` (after a notice) when it is missing outside CI.
pub fn turnserver() -> Option<PathBuf> {
    let found = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .chain([PathBuf::from("/usr/bin"), PathBuf::from("/usr/sbin")])
        .map(|dir| dir.join("turnserver"))
        .find(|p| p.is_file());
    if found.is_none() {
        if std::env::var_os("CI").is_some() {
            panic!("turnserver (coturn) is not installed; CI must run `apt-get install -y coturn`");
        }
        eprintln!("NOTICE: turnserver (coturn) not installed; skipping a coturn test");
    }
    found
}

/// A loopback port free for both UDP and TCP right now.
pub fn free_port() -> u16 {
    loop {
        let tcp = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = tcp.local_addr().unwrap().port();
        if UdpSocket::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
}

/// A running coturn, killed (and its log printed if the test failed) on drop.
pub struct Coturn {
    child: Child,
    dir: PathBuf,
    /// The UDP and TCP listening port.
    pub port: u16,
    /// The TLS listening port (listening only when started with a certificate).
    pub tls_port: u16,
}

impl Coturn {
    /// Starts coturn on 127.0.0.1; with `tls` = (certificate PEM, key PEM) it also listens for TLS.
    pub fn start(bin: &Path, tls: Option<(&str, &str)>) -> Coturn {
        let dir = std::env::temp_dir().join(format!(
            "rtcpeer-coturn-{}-{}",
            std::process::id(),
            free_port()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let (port, tls_port) = (free_port(), free_port());
        let mut cmd = Command::new(bin);
        cmd.args([
            "-n",
            "--listening-ip=127.0.0.1",
            "--relay-ip=127.0.0.1",
            "--lt-cred-mech",
            "--user",
            &format!("{USER}:{PASS}"),
            "--realm",
            REALM,
            "--allow-loopback-peers",
            "--no-cli",
            "--no-multicast-peers",
            "--no-dtls",
            "--log-file=stdout",
            "--simple-log",
        ])
        .arg(format!("--listening-port={port}"))
        .arg(format!("--tls-listening-port={tls_port}"))
        .arg(format!(
            "--pidfile={}",
            dir.join("turnserver.pid").display()
        ))
        .arg(format!("--userdb={}", dir.join("turndb").display()));
        match tls {
            Some((cert_pem, key_pem)) => {
                let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
                std::fs::write(&cert, cert_pem).unwrap();
                std::fs::write(&key, key_pem).unwrap();
                cmd.arg(format!("--cert={}", cert.display()))
                    .arg(format!("--pkey={}", key.display()));
            }
            None => {
                cmd.arg("--no-tls");
            }
        }
        let log = File::create(dir.join("turnserver.log")).unwrap();
        let child = cmd
            .stdout(Stdio::from(log.try_clone().unwrap()))
            .stderr(Stdio::from(log))
            .spawn()
            .expect("start turnserver");
        Coturn {
            child,
            dir,
            port,
            tls_port,
        }
    }
}

impl Drop for Coturn {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::thread::panicking()
            && let Ok(log) = std::fs::read_to_string(self.dir.join("turnserver.log"))
        {
            eprintln!("---- turnserver log ----\n{log}");
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
