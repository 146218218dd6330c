using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MimScale.Models.SwinV2;

/// <summary>
/// Activation checkpointing of one block (the official <c>use_checkpoint</c>, which wraps each block in
/// <c>torch.utils.checkpoint.checkpoint(blk, x)</c>). TorchSharp 0.107 has no torch.utils.checkpoint, so this is a
/// custom autograd function: the forward runs the block without recording a graph and keeps only its input; the backward
/// recomputes the block with a graph and differentiates it. Memory: one (B, L, C) input per block instead of every
/// intermediate of attention and MLP.
/// <para>
/// Faithfulness: the recomputation must draw the same stochastic-depth (and dropout) masks as the forward did. As
/// PyTorch's checkpoint (<c>preserve_rng_state=True</c>, which forks the RNG around the recomputation), the forward saves
/// the state of every random stream the block draws from (the model's drop-path generator; the default generator when
/// it has dropout), the backward sets them back for the recomputation and then restores the states they had, so the
/// random streams after a step are the same with and without checkpointing. Only the streams the block really uses are
/// forked: PyTorch always forks the global one, which here could disturb a concurrent run (study jobs) for nothing.
/// </para>
/// <para>
/// Unlike PyTorch's reentrant checkpoint, the block's parameters are also inputs of the function, so its backward runs
/// (and their gradients flow) even when the block input does not require grad (PyTorch then silently drops them). A block may be back-propagated once
/// per forward (the saved states are freed after the backward), as with PyTorch's reentrant variant.
/// </para>
/// </summary>
public static class BlockCheckpoint
{
    /// <summary>
    /// y = <paramref name="block"/>(<paramref name="x"/>), recomputed in backward. Falls back to a plain call when no
    /// graph is being recorded (evaluation, no_grad) or nothing needs a gradient.
    /// </summary>
    /// <param name="block">The block's forward; must be deterministic given the generator states (it is re-run once in backward).</param>
    /// <param name="x">(B, L, C) block input.</param>
    /// <param name="parameters">Every parameter the block uses (their gradients are returned by the backward).</param>
    /// <param name="streams">The random streams the block draws from (its drop-path generator; <c>Generator.Default</c>
    /// for dropout or a drop path without a generator); empty for a deterministic block.</param>
    public static Tensor Apply(Func<Tensor, Tensor> block, Tensor x, IReadOnlyList<Parameter> parameters, IReadOnlyList<Generator> streams)
    {
        if (!torch.is_grad_enabled() || (!x.requires_grad && !parameters.Any(p => p.requires_grad))) return block(x);
        var args = new object[parameters.Count + 2];
        args[0] = new Recipe(block, streams, parameters);
        args[1] = x;
        for (int i = 0; i < parameters.Count; i++) args[i + 2] = parameters[i];
        return Recompute.apply(args);
    }

    /// <summary>What the backward needs besides the saved input: the block and the generator states of the forward.</summary>
    private sealed class Recipe(Func<Tensor, Tensor> block, IReadOnlyList<Generator> streams, IReadOnlyList<Parameter> parameters)
    {
        public Func<Tensor, Tensor> Block { get; } = block;
        /// <summary>The same objects the function received as inputs 2.. (the block's closure uses them).</summary>
        public IReadOnlyList<Parameter> Parameters { get; } = parameters;
        /// <summary>The streams the block draws from.</summary>
        public IReadOnlyList<Generator> Generators { get; } = streams;
        /// <summary>States of <see cref="Generators"/> at the start of the forward; not in any dispose scope.</summary>
        public Tensor[]? States { get; set; }
    }

    /// <summary>The autograd function: vars = (recipe, x, parameters...).</summary>
    private sealed class Recompute : autograd.SingleTensorFunction<Recompute>
    {
        public override string Name => nameof(BlockCheckpoint);

        public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
        {
            var recipe = (Recipe)vars[0];
            var x = (Tensor)vars[1];
            // Runs under no_grad (the caller, TorchSharp's Function.apply, disables it): no graph. The intermediates are
            // freed here, not at the end of the caller's dispose scope: that scope would keep them all alive until the
            // micro-batch ends, and checkpointing would save nothing.
            recipe.States = recipe.Generators.Select(g => g.get_state().DetachFromDisposeScope()).ToArray();   // (nothing when deterministic)
            ctx.save_data("recipe", recipe);
            ctx.save_for_backward([x]);
            using var scope = torch.NewDisposeScope();
            return recipe.Block(x).MoveToOuterDisposeScope();
        }

        public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor gradOutput)
        {
            var recipe = (Recipe)ctx.get_data("recipe");
            var states = recipe.States ?? throw new InvalidOperationException(
                "a checkpointed SwinV2 block was back-propagated twice; its saved random states are used once (as PyTorch's reentrant checkpoint)");
            recipe.States = null;
            var x = ctx.get_saved_variables()[0];
            var generators = recipe.Generators;
            var result = new List<Tensor> { null!, null! };   // (recipe, x) then one entry per parameter
            using (torch.NewDisposeScope())
            using (torch.enable_grad())
            {
                // Fork the random streams: replay the forward's draws, then put the current states back.
                var current = generators.Select(g => g.get_state()).ToArray();
                for (int i = 0; i < generators.Count; i++) generators[i].set_state(states[i]);
                var input = x.detach().requires_grad_(x.requires_grad);
                Tensor y;
                try { y = recipe.Block(input); }
                finally { for (int i = 0; i < generators.Count; i++) generators[i].set_state(current[i]); }

                // As PyTorch's reentrant checkpoint: back-propagate the recomputed block into its leaves, so the parameter
                // gradients accumulate straight into .grad and only the input's gradient is returned (returning the parameter
                // gradients instead would keep one extra copy of them alive until the caller's dispose scope ends).
                var leaves = recipe.Parameters.Where(p => p.requires_grad).Cast<Tensor>().ToList();
                if (x.requires_grad) leaves.Add(input);
                if (leaves.Count > 0) autograd.backward([y], [gradOutput], inputs: leaves);
                for (int i = 0; i < recipe.Parameters.Count; i++) result.Add(null!);   // already in their .grad
                if (x.requires_grad) result[1] = input.grad!.MoveToOuterDisposeScope();
            }
            foreach (var s in states) s.Dispose();
            return result;
        }
    }
}
