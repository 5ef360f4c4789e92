//! The dispatcher against real HTTP receivers on loopback ports, fed by a real engine on a
//! SQLite store. No assertion depends on timing: tests wait for facts (events accepted,
//! checkpoints saved) and then check order, signatures and the delivery log.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod receiver;

use std::time::Duration;

use receiver::{Desk, start_receiver};
use ticketflow_store::EventStore;
use ticketflow_webhooks::{
    AttemptOutcome, Dispatcher, DispatcherConfig, EndpointFilter, NewEndpoint, WebhookRegistry,
    verify_signature,
};

fn fast() -> DispatcherConfig {
    DispatcherConfig {
        batch_size: 2,
        request_timeout: Duration::from_secs(30),
        backoff_base: Duration::from_millis(10),
        backoff_cap: Duration::from_millis(50),
        ..DispatcherConfig::default()
    }
}

async fn wait_for_checkpoint(
    registry: &WebhookRegistry,
    id: ticketflow_webhooks::EndpointId,
    at: u64,
) {
    while registry.get(id).unwrap().checkpoint < at {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_arrive_signed_and_in_log_order() {
    let dir = tempfile::tempdir().unwrap();
    let desk = Desk::open(dir.path());
    for n in 1..=5 {
        desk.open_ticket(n).await;
    }
    let (url, receiver) = start_receiver(0, false).await;
    let registry = WebhookRegistry::open(dir.path()).unwrap();
    let registered = registry.register(NewEndpoint::new(url)).unwrap();
    let dispatcher = Dispatcher::start(desk.dyn_store(), registry.clone(), fast());

    receiver.wait_for_accepted(5).await;
    desk.open_ticket(6).await; // a live event after catch-up
    receiver.wait_for_accepted(6).await;
    dispatcher.shutdown().await;

    assert_eq!(receiver.accepted_positions(), desk.positions().await);
    let log: Vec<(u64, String, String)> = desk
        .store
        .read_all(0, &ticketflow_store::Filter::all(), 100)
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.global_position, e.event_id.to_string(), e.event_type))
        .collect();
    let sent: Vec<(u64, String, String)> = receiver
        .requests
        .lock()
        .iter()
        .flat_map(|r| r.json()["events"].as_array().unwrap().clone())
        .map(|e| {
            (
                e["global_position"].as_u64().unwrap(),
                e["event_id"].as_str().unwrap().to_owned(),
                e["event_type"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(sent, log, "every event, once, exactly as the log has it");
    for request in receiver.requests.lock().iter() {
        let signature = request.header("ticketflow-signature");
        verify_signature(
            &registered.secret,
            &signature,
            &request.body,
            Duration::from_secs(300),
        )
        .unwrap();
        assert!(
            verify_signature(
                "whsec_wrong",
                &signature,
                &request.body,
                Duration::from_secs(300)
            )
            .is_err()
        );
        let positions = request.positions();
        assert!(
            positions.len() <= 2,
            "batches hold at most batch_size events"
        );
        assert_eq!(
            request.header("ticketflow-event-positions"),
            format!("{}-{}", positions[0], positions[positions.len() - 1])
        );
        let body = request.json();
        assert_eq!(
            body["delivery"].as_str().unwrap(),
            request.header("ticketflow-delivery")
        );
        let event = &body["events"][0];
        assert_eq!(event["event_type"], "TicketOpened");
        assert_eq!(event["data"]["creator"], "ann@acme.example");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receiver_failing_a_few_times_gets_everything_once_delivered() {
    let dir = tempfile::tempdir().unwrap();
    let desk = Desk::open(dir.path());
    for n in 1..=3 {
        desk.open_ticket(n).await;
    }
    let (url, receiver) = start_receiver(3, false).await;
    let registry = WebhookRegistry::open(dir.path()).unwrap();
    let id = registry
        .register(NewEndpoint::new(url))
        .unwrap()
        .endpoint
        .id;
    let dispatcher = Dispatcher::start(desk.dyn_store(), registry.clone(), fast());
    receiver.wait_for_accepted(3).await;
    wait_for_checkpoint(&registry, id, 3).await;
    dispatcher.shutdown().await;

    assert_eq!(receiver.accepted_positions(), vec![1, 2, 3]);
    let log = registry.deliveries(id, 100).unwrap();
    let failures = log
        .iter()
        .filter(|a| a.outcome == AttemptOutcome::Status { code: 500 })
        .count();
    assert_eq!(failures, 3, "the log shows every refused attempt: {log:#?}");
    assert!(
        log.iter()
            .filter(|a| !a.outcome.is_success())
            .all(|a| a.next_retry_at.is_some())
    );
    let first_batch: Vec<_> = log.iter().filter(|a| a.first_position == 1).collect();
    assert_eq!(
        first_batch.len(),
        4,
        "three refusals and one success of the first batch"
    );
    assert!(
        first_batch
            .iter()
            .all(|a| a.delivery_id == first_batch[0].delivery_id)
    );
    assert_eq!(first_batch[0].attempt, 4, "newest first");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restarted_dispatcher_resumes_from_the_checkpoint() {
    let dir = tempfile::tempdir().unwrap();
    let desk = Desk::open(dir.path());
    for n in 1..=3 {
        desk.open_ticket(n).await;
    }
    let (url, receiver) = start_receiver(0, false).await;
    let id = {
        let registry = WebhookRegistry::open(dir.path()).unwrap();
        let id = registry
            .register(NewEndpoint::new(url))
            .unwrap()
            .endpoint
            .id;
        let dispatcher = Dispatcher::start(desk.dyn_store(), registry.clone(), fast());
        wait_for_checkpoint(&registry, id, 3).await;
        dispatcher.shutdown().await;
        id
    };
    for n in 4..=6 {
        desk.open_ticket(n).await;
    }
    let registry = WebhookRegistry::open(dir.path()).unwrap();
    assert_eq!(registry.get(id).unwrap().checkpoint, 3);
    let dispatcher = Dispatcher::start(desk.dyn_store(), registry.clone(), fast());
    wait_for_checkpoint(&registry, id, 6).await;
    dispatcher.shutdown().await;
    assert_eq!(receiver.accepted_positions(), vec![1, 2, 3, 4, 5, 6]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dead_endpoint_does_not_delay_another() {
    let dir = tempfile::tempdir().unwrap();
    let desk = Desk::open(dir.path());
    for n in 1..=4 {
        desk.open_ticket(n).await;
    }
    let (hanging_url, hanging) = start_receiver(0, true).await;
    let (healthy_url, healthy) = start_receiver(0, false).await;
    let registry = WebhookRegistry::open(dir.path()).unwrap();
    let dead = registry
        .register(NewEndpoint::new(hanging_url))
        .unwrap()
        .endpoint
        .id;
    let mut only_tickets = NewEndpoint::new(healthy_url);
    only_tickets.filter = EndpointFilter::category("ticket");
    let alive = registry.register(only_tickets).unwrap().endpoint.id;
    // The hanging receiver holds its first request for the whole (long) timeout.
    let config = DispatcherConfig {
        request_timeout: Duration::from_secs(600),
        ..fast()
    };
    let dispatcher = Dispatcher::start(desk.dyn_store(), registry.clone(), config);
    healthy.wait_for_accepted(4).await;
    desk.open_ticket(5).await;
    healthy.wait_for_accepted(5).await;
    wait_for_checkpoint(&registry, alive, 5).await;

    // The other endpoint is still stuck on its first request: nothing delivered, nothing logged.
    assert_eq!(registry.get(dead).unwrap().checkpoint, 0);
    assert!(registry.deliveries(dead, 10).unwrap().is_empty());
    assert!(hanging.requests.lock().is_empty());
    dispatcher.shutdown().await;
    assert_eq!(healthy.accepted_positions(), vec![1, 2, 3, 4, 5]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn registering_while_running_starts_delivery_and_removing_stops_it() {
    let dir = tempfile::tempdir().unwrap();
    let desk = Desk::open(dir.path());
    desk.open_ticket(1).await;
    let registry = WebhookRegistry::open(dir.path()).unwrap();
    let dispatcher = Dispatcher::start(desk.dyn_store(), registry.clone(), fast());
    let (url, receiver) = start_receiver(0, false).await;
    let mut from_now = NewEndpoint::new(url);
    from_now.start_after = 1; // only what happens after registration
    let id = registry.register(from_now).unwrap().endpoint.id;
    desk.open_ticket(2).await;
    receiver.wait_for_accepted(1).await;
    assert_eq!(receiver.accepted_positions(), vec![2]);
    registry.remove(id).unwrap();
    dispatcher.shutdown().await;
    assert!(registry.list().unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_redactor_shapes_and_drops_events_per_endpoint() {
    let dir = tempfile::tempdir().unwrap();
    let desk = Desk::open(dir.path());
    for n in 1..=3 {
        desk.open_ticket(n).await;
    }
    let (url, receiver) = start_receiver(0, false).await;
    let registry = WebhookRegistry::open(dir.path()).unwrap();
    let id = registry
        .register(NewEndpoint::new(url))
        .unwrap()
        .endpoint
        .id;
    let redactor: ticketflow_webhooks::Redactor =
        std::sync::Arc::new(|endpoint, event, mut data| {
            if event.stream_id.as_str() == "ticket-SD-2" {
                return None;
            }
            if !endpoint.confidential_text {
                data["description"] = serde_json::Value::String("(redacted)".into());
            }
            Some(data)
        });
    let config = DispatcherConfig {
        redactor: Some(redactor),
        ..fast()
    };
    let dispatcher = Dispatcher::start(desk.dyn_store(), registry.clone(), config);
    wait_for_checkpoint(&registry, id, 3).await;
    dispatcher.shutdown().await;
    assert_eq!(receiver.accepted_positions(), vec![1, 3]);
    for request in receiver.requests.lock().iter() {
        for event in request.json()["events"].as_array().unwrap() {
            assert_eq!(event["data"]["description"], "(redacted)");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_endpoint_failing_longer_than_allowed_is_marked_failing_keeps_its_events_and_recovers() {
    let dir = tempfile::tempdir().unwrap();
    let desk = Desk::open(dir.path());
    desk.open_ticket(1).await;
    // A port nobody listens on: bind, note it, close.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let registry = WebhookRegistry::open(dir.path()).unwrap();
    let id = registry
        .register(NewEndpoint::new(format!("http://127.0.0.1:{port}/hook")))
        .unwrap()
        .endpoint
        .id;
    let config = DispatcherConfig {
        failing_after: Duration::ZERO,
        ..fast()
    };
    let dispatcher = Dispatcher::start(desk.dyn_store(), registry.clone(), config);
    loop {
        if let ticketflow_webhooks::EndpointHealth::Failing { last_error, .. } =
            registry.get(id).unwrap().health
        {
            assert!(last_error.contains("connect"), "{last_error}");
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(
        registry.get(id).unwrap().checkpoint,
        0,
        "nothing is skipped"
    );
    let log = registry.deliveries(id, 10).unwrap();
    assert!(!log.is_empty());
    assert!(
        log.iter()
            .all(|a| matches!(a.outcome, AttemptOutcome::Error { .. }))
    );

    // The receiver comes up on that port: the batch goes through and the endpoint is healthy.
    let (_, receiver) = receiver::start_receiver_on(port, 0, false).await;
    wait_for_checkpoint(&registry, id, 1).await;
    assert_eq!(
        registry.get(id).unwrap().health,
        ticketflow_webhooks::EndpointHealth::Healthy
    );
    dispatcher.shutdown().await;
    assert_eq!(receiver.accepted_positions(), vec![1]);
}
