namespace NNPackSharp.CnnTraining;

/// <summary>Which engine a training run uses: the library's operator engine and the convolution algorithm that matches it.</summary>
public readonly record struct Engine(OperatorEngine Operators)
{
    public static Engine Managed { get; } = new(OperatorEngine.Managed);

    public static Engine Native { get; } = new(OperatorEngine.Native);

    public static Engine Fastest { get; } = new(OperatorEngine.Fastest);

    /// <summary>The convolutions' engine: the managed im2col+GEMM, libnnpack's auto choice, or the fastest that loads.</summary>
    public Conv2DAlgorithm Convolutions => Operators switch
    {
        OperatorEngine.Native => Conv2DAlgorithm.NNPackAuto,
        OperatorEngine.Fastest => Conv2DAlgorithm.Fastest,
        _ => Conv2DAlgorithm.Im2ColGemm,
    };

    /// <summary>
    /// The linear layer's backward: libnnpack has no fully connected backward function, so the native engine's run
    /// computes it on the managed engine (as every engine computes the max pooling's backward).
    /// </summary>
    public OperatorEngine LinearBackward => Operators == OperatorEngine.Native ? OperatorEngine.Managed : Operators;

    public override string ToString() => Operators.ToString();
}
