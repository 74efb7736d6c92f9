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
