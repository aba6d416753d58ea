//! The real binary in a pseudo-terminal (portable-pty), its screen parsed by vt100.

use std::io::{Read, Write};
use std::num::NonZeroU16;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{Child, CommandBuilder, PtySize, native_pty_system};

pub struct Session {
    child: Box<dyn Child + Send + Sync>,
    writer: Arc<Mutex<Box<dyn Write + Send>>>,
    parser: Arc<Mutex<vt100::Parser>>,
    /// The reader saw the end of the output (the child and its terminal are gone).
    drained: Arc<std::sync::atomic::AtomicBool>,
    _master: Box<dyn portable_pty::MasterPty + Send>,
}

pub const ROWS: NonZeroU16 = NonZeroU16::new(40).unwrap();
pub const COLS: NonZeroU16 = NonZeroU16::new(120).unwrap();

impl Session {
    pub fn spawn(args: &[&str], env: &[(&str, &str)]) -> Session {
        let pty = native_pty_system();
        let pair = pty
            .openpty(PtySize {
                rows: ROWS.get(),
                cols: COLS.get(),
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("open pty");
        let mut cmd = CommandBuilder::new(crate::support::BIN);
        cmd.args(args);
        cmd.env_clear();
        for key in ["PATH", "HOME", "USER"] {
            if let Some(v) = std::env::var_os(key) {
                cmd.env(key, v);
            }
        }
        cmd.env("TERM", "xterm-256color");
        cmd.env("LANG", "C.UTF-8");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = pair.slave.spawn_command(cmd).expect("spawn in pty");
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().expect("reader");
        let writer = Arc::new(Mutex::new(pair.master.take_writer().expect("writer")));
        let parser = Arc::new(Mutex::new(vt100::Parser::new(ROWS, COLS, 0)));
        let (p, w) = (parser.clone(), writer.clone());
        let drained = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let done = drained.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            loop {
                match reader.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => {
                        let chunk = &buf[..n];
                        // Answer cursor-position queries as a real terminal would.
                        if chunk.windows(4).any(|win| win == b"\x1b[6n")
                            && let Ok(mut w) = w.lock()
                        {
                            let _ = w.write_all(b"\x1b[1;1R");
                            let _ = w.flush();
                        }
                        if let Ok(mut p) = p.lock() {
                            p.process(chunk);
                        }
                    }
                }
            }
            done.store(true, std::sync::atomic::Ordering::SeqCst);
        });
        Session {
            child,
            writer,
            parser,
            drained,
            _master: pair.master,
        }
    }

    pub fn send(&self, keys: &str) {
        let mut w = self.writer.lock().expect("writer lock");
        w.write_all(keys.as_bytes()).expect("write keys");
        w.flush().expect("flush keys");
    }

    /// Types text one key at a time, as a person does.
    pub fn type_text(&self, text: &str) {
        for c in text.chars() {
            self.send(&c.to_string());
            std::thread::sleep(Duration::from_millis(15));
        }
    }

    pub fn screen(&self) -> String {
        self.parser
            .lock()
            .map(|p| p.screen().contents())
            .unwrap_or_default()
    }

    /// Waits until the screen shows `text`; panics with the screen if it never does.
    pub fn wait_for(&self, text: &str, timeout: Duration) -> String {
        self.wait_until(&format!("{text:?}"), timeout, |screen| {
            screen.contains(text)
        })
    }

    /// Waits until `ready` holds for the screen (`what` names it in the panic, with the
    /// screen, if it never does) and returns that screen.
    pub fn wait_until(
        &self,
        what: &str,
        timeout: Duration,
        ready: impl Fn(&str) -> bool,
    ) -> String {
        let deadline = Instant::now() + timeout;
        loop {
            let screen = self.screen();
            if ready(&screen) {
                return screen;
            }
            if Instant::now() > deadline {
                panic!("timed out waiting for {what}; the screen was:\n{screen}");
            }
            // Fine-grained so the latency benchmark measures the app, not this loop.
            std::thread::sleep(Duration::from_millis(2));
        }
    }

    pub fn pid(&self) -> Option<u32> {
        self.child.process_id()
    }

    /// Whether the alternate screen is active (a fullscreen app is running).
    pub fn alternate_screen(&self) -> bool {
        self.parser
            .lock()
            .map(|p| p.screen().alternate_screen())
            .unwrap_or(false)
    }

    pub fn wait_exit(&mut self, timeout: Duration) -> Option<u32> {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                // Its last output (leaving the alternate screen) may still be on its way to the
                // parser: wait for the reader to see the end, within the same deadline.
                while !self.drained.load(std::sync::atomic::Ordering::SeqCst)
                    && Instant::now() < deadline
                {
                    std::thread::sleep(Duration::from_millis(5));
                }
                return Some(status.exit_code());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        None
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
