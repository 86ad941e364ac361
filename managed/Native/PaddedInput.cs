using System.Runtime.InteropServices;
using NNPackSharp.Validation;

namespace NNPackSharp.Native;

/// <summary>
/// The NNPACK API refuses a padding side at least as large as the kernel on its axis. For such calls this holds a
/// copy of the input with the excess padding written out as zeros, the geometry that describes it, and a buffer for
/// its gradient (cropped back afterwards). Other calls use the caller's input as is.
/// </summary>
internal sealed unsafe class PaddedInput : IDisposable
{
    private readonly int extraHeight;
    private readonly int extraWidth;
    private readonly int originalHeight;
    private readonly int originalWidth;
    private float* gradient;

    private PaddedInput(Conv2DGeometry geometry, float* data, bool isCopy, int extraHeight, int extraWidth, int originalHeight, int originalWidth)
    {
        Geometry = geometry;
        Data = data;
        IsCopy = isCopy;
        this.extraHeight = extraHeight;
        this.extraWidth = extraWidth;
        this.originalHeight = originalHeight;
        this.originalWidth = originalWidth;
    }

    /// <summary>The geometry the native call sees: padding below the kernel size on both axes.</summary>
    public Conv2DGeometry Geometry { get; }

    /// <summary>The input the native call reads.</summary>
    public float* Data { get; private set; }

    /// <summary>True when <see cref="Data"/> is a padded copy (and gradients must be cropped).</summary>
    public bool IsCopy { get; }

    /// <summary>The gradient of the padded copy, allocated on first use (forward and weight-only calls never need it).</summary>
    public float* Gradient
    {
        get
        {
            if (gradient == null && IsCopy)
            {
                gradient = (float*)NativeMemory.AlignedAlloc((nuint)((long)Geometry.Batch * Geometry.InputImageLength * sizeof(float)), 64);
            }

            return gradient;
        }
    }

    public static PaddedInput Create(in Conv2DGeometry g, float* input)
    {
        int extraHeight = Math.Max(0, g.PadHeight - (g.KernelHeight - 1));
        int extraWidth = Math.Max(0, g.PadWidth - (g.KernelWidth - 1));
        if (extraHeight == 0 && extraWidth == 0)
        {
            return new PaddedInput(g, input, false, 0, 0, g.InputHeight, g.InputWidth);
        }

        Conv2DGeometry padded = g with
        {
            InputHeight = g.InputHeight + (2 * extraHeight),
            InputWidth = g.InputWidth + (2 * extraWidth),
            PadHeight = g.PadHeight - extraHeight,
            PadWidth = g.PadWidth - extraWidth,
        };
        long length = (long)padded.Batch * padded.InputImageLength;
        float* copy = (float*)NativeMemory.AlignedAlloc((nuint)(length * sizeof(float)), 64);
        new Span<float>(copy, checked((int)length)).Clear();
        for (long plane = 0; plane < (long)g.Batch * g.InputChannels; plane++)
        {
            for (int y = 0; y < g.InputHeight; y++)
            {
                float* source = input + (((plane * g.InputHeight) + y) * g.InputWidth);
                float* target = copy + (((plane * padded.InputHeight) + y + extraHeight) * padded.InputWidth) + extraWidth;
                new ReadOnlySpan<float>(source, g.InputWidth).CopyTo(new Span<float>(target, g.InputWidth));
            }
        }

        return new PaddedInput(padded, copy, true, extraHeight, extraWidth, g.InputHeight, g.InputWidth);
    }

    /// <summary>Copies the part of <see cref="Gradient"/> that covers the original input into <paramref name="gradInput"/>.</summary>
    public void CropGradientInto(float* gradInput)
    {
        Conv2DGeometry p = Geometry;
        for (long plane = 0; plane < (long)p.Batch * p.InputChannels; plane++)
        {
            for (int y = 0; y < originalHeight; y++)
            {
                float* source = Gradient + (((plane * p.InputHeight) + y + extraHeight) * p.InputWidth) + extraWidth;
                float* target = gradInput + (((plane * originalHeight) + y) * originalWidth);
                new ReadOnlySpan<float>(source, originalWidth).CopyTo(new Span<float>(target, originalWidth));
            }
        }
    }

    public void Dispose()
    {
        if (IsCopy)
        {
            NativeMemory.AlignedFree(Data);
            NativeMemory.AlignedFree(gradient);
            Data = null;
            gradient = null;
        }
    }
}
