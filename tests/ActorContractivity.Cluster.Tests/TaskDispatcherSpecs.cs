using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using ActorContractivity.Cluster.Dispatch;
using ActorContractivity.Cluster.Hosting;
using ActorContractivity.Cluster.Protocol;
using ActorContractivity.Core.Inner;

namespace ActorContractivity.Cluster.Tests;

/// <summary>The pull protocol, leases, re-issue and deduplication of the task dispatcher, with probes as peers.</summary>
public sealed class TaskDispatcherSpecs : TestKit
{
    private readonly TestProbe _coordinator;

    public TaskDispatcherSpecs()
    {
        _coordinator = CreateTestProbe();
    }

    [Fact]
    public void A_worker_gets_a_task_only_after_it_asks_and_only_one_at_a_time()
    {
        var dispatcher = Dispatcher(leaseSeconds: 30);
        var worker = CreateTestProbe();
        dispatcher.Tell(Enqueue("a", "b"), _coordinator);
        worker.ExpectNoMsg(TimeSpan.FromMilliseconds(200));

        dispatcher.Tell(new RequestWork(worker), worker);
        var first = worker.ExpectMsg<WorkAssigned>();
        dispatcher.Tell(new RequestWork(worker), worker);
        worker.ExpectNoMsg(TimeSpan.FromMilliseconds(200));

        dispatcher.Tell(Done(first), worker);
        var second = worker.ExpectMsg<WorkAssigned>();
        Assert.Equal(("a", 1), (first.TaskId, first.Attempt));
        Assert.Equal(("b", 1), (second.TaskId, second.Attempt));
        Assert.Equal("a", _coordinator.ExpectMsg<TaskCompleted>().TaskId);
    }

    [Fact]
    public void A_late_duplicate_result_is_ignored_and_the_first_result_wins()
    {
        var dispatcher = Dispatcher(leaseSeconds: 0.3);
        var slow = CreateTestProbe();
        var fast = CreateTestProbe();
        dispatcher.Tell(Enqueue("a"), _coordinator);
        dispatcher.Tell(new RequestWork(slow), slow);
        var leased = slow.ExpectMsg<WorkAssigned>();

        // The slow worker never renews its lease: the task goes to the next worker that asks, as attempt 2.
        dispatcher.Tell(new RequestWork(fast), fast);
        var again = fast.ExpectMsg<WorkAssigned>(TimeSpan.FromSeconds(3));
        Assert.Equal(("a", 2), (again.TaskId, again.Attempt));

        dispatcher.Tell(Done(again, value: 2.0), fast);
        dispatcher.Tell(Done(leased, value: 1.0), slow);
        var completed = _coordinator.ExpectMsg<TaskCompleted>();
        Assert.Equal(2.0, ((Climbed)completed.Outcome).Climb.Value);
        _coordinator.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
    }

    [Fact]
    public void A_renewed_lease_does_not_expire()
    {
        var dispatcher = Dispatcher(leaseSeconds: 0.4);
        var busy = CreateTestProbe();
        var other = CreateTestProbe();
        dispatcher.Tell(Enqueue("a"), _coordinator);
        dispatcher.Tell(new RequestWork(busy), busy);
        var leased = busy.ExpectMsg<WorkAssigned>();
        dispatcher.Tell(new RequestWork(other), other);
        for (var i = 0; i < 8; i++)
        {
            dispatcher.Tell(new WorkInProgress("job", "a", leased.Attempt), busy);
            Thread.Sleep(100);
        }

        other.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public void The_tasks_of_a_terminated_worker_are_issued_again_to_another_worker()
    {
        var dispatcher = Dispatcher(leaseSeconds: 30);
        var doomed = CreateTestProbe();
        var survivor = CreateTestProbe();
        dispatcher.Tell(Enqueue("a"), _coordinator);
        dispatcher.Tell(new RequestWork(doomed), doomed);
        doomed.ExpectMsg<WorkAssigned>();
        dispatcher.Tell(new RequestWork(survivor), survivor);
        survivor.ExpectNoMsg(TimeSpan.FromMilliseconds(200));

        Sys.Stop(doomed.Ref);
        var again = survivor.ExpectMsg<WorkAssigned>();
        Assert.Equal(("a", 2), (again.TaskId, again.Attempt));
    }

    [Fact]
    public void A_task_failing_on_every_attempt_is_given_up_with_its_last_message()
    {
        var dispatcher = Dispatcher(leaseSeconds: 30, maxAttempts: 3);
        var worker = CreateTestProbe();
        dispatcher.Tell(Enqueue("a"), _coordinator);
        dispatcher.Tell(new RequestWork(worker), worker);
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            var leased = worker.ExpectMsg<WorkAssigned>();
            Assert.Equal(attempt, leased.Attempt);
            dispatcher.Tell(new WorkFailed("job", "a", attempt, $"boom {attempt}"), worker);
        }

        var gaveUp = _coordinator.ExpectMsg<TaskGaveUp>();
        Assert.Equal(("a", "boom 3"), (gaveUp.TaskId, gaveUp.Message));
        worker.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public void A_task_already_done_is_not_queued_again()
    {
        var dispatcher = Dispatcher(leaseSeconds: 30);
        var worker = CreateTestProbe();
        dispatcher.Tell(Enqueue("a"), _coordinator);
        dispatcher.Tell(new RequestWork(worker), worker);
        dispatcher.Tell(Done(worker.ExpectMsg<WorkAssigned>()), worker);
        _coordinator.ExpectMsg<TaskCompleted>();

        dispatcher.Tell(Enqueue("a"), _coordinator);
        worker.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
    }

    private IActorRef Dispatcher(double leaseSeconds, int maxAttempts = 3) =>
        Sys.ActorOf(Props.Create(() => new TaskDispatcher(
            new DispatchSettings { LeaseSeconds = leaseSeconds, MaxAttempts = maxAttempts })));

    private static EnqueueTasks Enqueue(params string[] ids) =>
        new("job", "hash", ids.Select(id => (TaskSpec)new ClimbTask(id, 0, 0.5, 1, 0, new WarmStart([1.0], null), false))
            .ToArray());

    private static WorkCompleted Done(WorkAssigned task, double value = 0) =>
        new(task.JobId, task.TaskId, task.Attempt,
            new Climbed(new Climb(new Core.Inner.Evaluation(value, [1.0], [0.0], 0, 1), [1.0], 0, 1, 1)));
}
