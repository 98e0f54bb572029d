//! The HTTPS shell: accepts TCP on the listener, completes the rustls handshake, and serves the router over
//! HTTP/1.1 or HTTP/2 per connection; a connection closes at once when drop-after-commit fires.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use tokio::net::TcpListener;
use tokio::sync::{Notify, watch};
use tokio::task::JoinSet;
use tokio_rustls::TlsAcceptor;
use tower::ServiceExt;

use crate::routes::ConnectionKiller;

const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

pub async fn serve(listener: TcpListener, acceptor: TlsAcceptor, router: Router, mut shutdown: watch::Receiver<bool>) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            _ = shutdown.changed() => break,
            accepted = listener.accept() => {
                let Ok((tcp, peer)) = accepted else { continue };
                let _ = tcp.set_nodelay(true);
                let acceptor = acceptor.clone();
                let router = router.clone();
                connections.spawn(async move {
                    let tls = match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(tcp)).await {
                        Ok(Ok(tls)) => tls,
                        Ok(Err(error)) => {
                            tracing::debug!(%peer, %error, "TLS handshake refused");
                            return;
                        }
                        Err(_) => return,
                    };
                    let killer = Arc::new(Notify::new());
                    let request_killer = killer.clone();
                    let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
                        request.extensions_mut().insert(ConnectionKiller(request_killer.clone()));
                        router.clone().oneshot(request)
                    });
                    let builder = auto::Builder::new(TokioExecutor::new());
                    let connection = builder.serve_connection(TokioIo::new(tls), service);
                    tokio::select! {
                        result = connection => {
                            if let Err(error) = result {
                                tracing::debug!(%peer, %error, "connection ended with an error");
                            }
                        }
                        _ = killer.notified() => tracing::debug!(%peer, "connection dropped on purpose"),
                    }
                });
            }
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    connections.shutdown().await;
}
