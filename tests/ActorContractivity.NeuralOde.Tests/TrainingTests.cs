using ActorContractivity.NeuralOde.Datasets;
using ActorContractivity.NeuralOde.Model;
using ActorContractivity.NeuralOde.Training;

namespace ActorContractivity.NeuralOde.Tests;

public sealed class TrainingTests
{
    [Fact]
    public void Training_on_the_fixture_digits_learns_them_and_repeats_exactly_with_the_same_seed()
    {
        var split = MnistDirectory.Split(MnistDirectory.Load(Fixtures.Idx), 500, 100, 0);
        var shape = new OdeShape(DigitSet.PixelCount, 16, DigitSet.Classes, 1.0, 4);
        var options = new TrainingOptions(Epochs: 3, BatchSize: 20, LearningRate: 5e-3, Seed: 1, MaxShift: 1);

        var first = OdeClassifier.Initialise(shape, Activation.Tanh, 2);
        var reports = Trainer.Train(first, split.Train, split.Test, options, null);
        var second = OdeClassifier.Initialise(shape, Activation.Tanh, 2);
        Trainer.Train(second, split.Train, split.Test, options, null);

        Assert.Equal(3, reports.Count);
        Assert.True(reports[^1].Loss < reports[0].Loss, "the loss did not fall");
        Assert.InRange(reports[^1].TestAccuracy!.Value, 0.6, 1.0);
        Assert.Equal(reports[^1].TestAccuracy!.Value, Accuracy.Of(first, split.Test));
        Assert.Equal(first.Parameters, second.Parameters);
    }

    [Fact]
    public void A_frozen_block_is_left_exactly_as_it_was()
    {
        var split = MnistDirectory.Split(MnistDirectory.Load(Fixtures.Idx), 100, 20, 0);
        var shape = new OdeShape(DigitSet.PixelCount, 8, DigitSet.Classes, 1.0, 3);
        var model = OdeClassifier.Initialise(shape, Activation.WithSlope(0.4), 3);
        var weights = model.Block(ParameterGroup.Weights).ToArray();
        var readout = model.Block(ParameterGroup.Readout).ToArray();

        Trainer.Train(model, split.Train, null, new TrainingOptions(Epochs: 1, BatchSize: 10)
        {
            Frozen = new HashSet<ParameterGroup> { ParameterGroup.Weights },
        }, null);

        Assert.Equal(weights, model.Block(ParameterGroup.Weights).ToArray());
        Assert.NotEqual(readout, model.Block(ParameterGroup.Readout).ToArray());
    }

    [Fact]
    public void A_shift_moves_the_digit_and_fills_with_background()
    {
        var image = new double[DigitSet.PixelCount];
        image[5 * DigitSet.Side + 5] = 1;
        image[27] = 0.5;
        var shifted = new double[DigitSet.PixelCount];

        Shift.Apply(image, 2, -1, shifted);

        Assert.Equal(1, shifted[4 * DigitSet.Side + 7]);
        Assert.Equal(1, shifted.Sum());
    }
}
