use strata_clock::Clock;
use strata_storage::Store;

use crate::stack::StackOutput;
use crate::{CfnError, CloudFormation, Stack, StackStatus};

fn no_job() -> crate::RecordJob {
    Box::new(|_| Ok(()))
}

fn stack(name: &str, uuid: &str) -> Stack {
    let mut stack = Stack::new(
        "111111111111",
        "us-east-1",
        name,
        StackStatus::CreateInProgress,
        0,
    );
    stack.uuid = uuid.to_owned();
    stack.stack_id = Stack::arn("us-east-1", "111111111111", name, uuid);
    stack
}

#[tokio::test]
async fn names_events_and_exports() {
    let cfn = CloudFormation::new(Store::open_temporary().unwrap(), Clock::new());
    let a = stack("a", "u1");
    let created = a.event(
        StackStatus::CreateInProgress,
        Some("User Initiated".into()),
        1,
    );
    let mut a = cfn.create_stack(a, vec![created], no_job()).await.unwrap();
    assert!(matches!(
        cfn.create_stack(stack("a", "u2"), vec![], no_job()).await,
        Err(CfnError::NameInUse)
    ));
    a.status = StackStatus::CreateComplete;
    a.outputs.push(StackOutput {
        key: "O".into(),
        value: "v".into(),
        description: None,
        export_name: Some("shared".into()),
    });
    let done = a.event(StackStatus::CreateComplete, None, 2);
    let mut a = cfn.save_stack(a, vec![done]).await.unwrap();
    let events = cfn.events(&a).unwrap();
    assert_eq!(events[0].status, "CREATE_COMPLETE");
    assert_eq!(events[1].status, "CREATE_IN_PROGRESS");
    assert_eq!(
        cfn.export("111111111111", "us-east-1", "shared")
            .unwrap()
            .unwrap()
            .value,
        "v"
    );

    // Another stack cannot take the export.
    let mut b = cfn
        .create_stack(stack("b", "u3"), vec![], no_job())
        .await
        .unwrap();
    b.outputs = a.outputs.clone();
    assert!(matches!(
        cfn.save_stack(b, vec![]).await,
        Err(CfnError::ExportInUse { .. })
    ));

    // Deleted: the name is free, the stack readable by id, its exports gone.
    a.status = StackStatus::DeleteComplete;
    a = cfn.save_stack(a, vec![]).await.unwrap();
    assert!(
        cfn.stack("111111111111", "us-east-1", "a")
            .unwrap()
            .is_none()
    );
    assert!(
        cfn.stack("111111111111", "us-east-1", &a.stack_id)
            .unwrap()
            .is_some()
    );
    assert!(
        cfn.export("111111111111", "us-east-1", "shared")
            .unwrap()
            .is_none()
    );
    cfn.create_stack(stack("a", "u4"), vec![], no_job())
        .await
        .unwrap();
}

/// A resource event at the same millisecond as the one before gets a later time, and so an
/// id of its own (a resource event's id carries its time).
#[tokio::test]
async fn events_get_distinct_ids_and_times() {
    use crate::Event;
    let cfn = CloudFormation::new(Store::open_temporary().unwrap(), Clock::new());
    let s = cfn
        .create_stack(stack("s", "u1"), vec![], no_job())
        .await
        .unwrap();
    let event = |status: &str| Event {
        event_id: Event::resource_id("Table", status, 5),
        logical_id: "Table".into(),
        physical_id: String::new(),
        resource_type: "AWS::DynamoDB::Table".into(),
        timestamp_millis: 5,
        status: status.into(),
        reason: None,
        properties: None,
        client_request_token: None,
    };
    let s = cfn
        .save_stack(
            s,
            vec![event("CREATE_IN_PROGRESS"), event("CREATE_IN_PROGRESS")],
        )
        .await
        .unwrap();
    let events = cfn.events(&s).unwrap();
    assert_eq!(events.len(), 2);
    assert_ne!(events[0].event_id, events[1].event_id);
    assert_eq!(events[1].timestamp_millis, 5);
    assert_eq!(events[0].timestamp_millis, 6);
    assert_eq!(
        events[0].event_id,
        "Table-CREATE_IN_PROGRESS-1970-01-01T00:00:00.006Z"
    );
}

/// An operation started from a copy read before another write is refused; API edits made
/// beside an operation survive the operation's next save.
#[tokio::test]
async fn stale_copies_never_overwrite() {
    let cfn = CloudFormation::new(Store::open_temporary().unwrap(), Clock::new());
    let mut s = stack("s", "u1");
    s.status = StackStatus::CreateComplete;
    let s = cfn.create_stack(s, vec![], no_job()).await.unwrap();
    let stale = s.clone();
    let protected: Stack = cfn
        .edit_stack(&s, |stack| {
            stack.termination_protection = true;
            Ok::<_, CfnError>(Vec::new())
        })
        .await
        .unwrap();
    assert!(protected.termination_protection);
    let mut started = stale.clone();
    started.status = StackStatus::UpdateInProgress;
    assert!(matches!(
        cfn.start_operation(started, vec![], no_job()).await,
        Err(CfnError::Changed("CREATE_COMPLETE"))
    ));
    // An operation's save (from its own older copy) keeps the protection.
    let saved = cfn.save_stack(stale, vec![]).await.unwrap();
    assert!(saved.termination_protection);
}
