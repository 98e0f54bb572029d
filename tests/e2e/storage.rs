//! The kiosk's storage through the real runtime: free space below the configured reserve takes the kiosk
//! out of service (technician reason: disk) before anything is stored.

use servicaja_core::settings::Settings;
use servicaja_session::state::{OutOfServiceReason, Screen, StorageProblem};

use crate::world::World;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn free_space_below_the_reserve_takes_the_kiosk_out_of_service() {
    let mut settings = Settings::default();
    // More than any test machine has free: the reserve is never met.
    settings.journal.free_space_reserve_mb = u32::MAX;
    let mut w = World::start_with(settings).await;
    w.until("the storage watch to report", |s| s.health().storage.is_some()).await;
    assert_eq!(w.session.health().storage, Some(StorageProblem::LowSpace));
    assert!(
        matches!(w.screen(), Screen::OutOfService { reasons }
            if reasons.contains(&OutOfServiceReason::Storage(StorageProblem::LowSpace))),
        "{:?}",
        w.screen()
    );
    assert!(w.runtime().outbox().list(vec![]).await.unwrap().is_empty(), "nothing was stored");
}
