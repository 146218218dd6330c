using System.Reflection;
using System.Reflection.Emit;

namespace MimScale.Tests.Models.Runtime;

/// <summary>
/// Reads the IL of compiled methods and lists the methods each one calls (call, callvirt, newobj, ldftn), so a test can
/// check what our assemblies hand to TorchSharp without running them. Only the operand layout of each opcode is
/// needed to walk the byte stream; it comes from <see cref="OpCodes"/> itself.
/// </summary>
public static class IlCallScanner
{
    private static readonly Dictionary<short, OpCode> Codes = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(c => c.Value);

    public const BindingFlags Everything = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance |
                                           BindingFlags.Static | BindingFlags.DeclaredOnly;

    /// <summary>Every method and constructor declared by the types of <paramref name="assembly"/> (nested ones too).</summary>
    public static IEnumerable<MethodBase> MethodsOf(Assembly assembly)
    {
        Type[] types;
        try { types = assembly.GetTypes(); }
        catch (ReflectionTypeLoadException e) { types = e.Types.Where(t => t is not null).ToArray()!; }
        foreach (var type in types)
        {
            foreach (var m in type.GetMethods(Everything)) yield return m;
            foreach (var c in type.GetConstructors(Everything)) yield return c;
        }
    }

    /// <summary>The methods <paramref name="method"/> calls, in IL order (unresolvable tokens are skipped).</summary>
    public static IEnumerable<MethodBase> CalleesOf(MethodBase method) =>
        Operands<MethodBase>(method, OperandType.InlineMethod, (module, token, typeArgs, methodArgs) => module.ResolveMethod(token, typeArgs, methodArgs)!);

    /// <summary>The value types <paramref name="method"/> boxes (the operands of its <c>box</c> instructions), in IL order.</summary>
    public static IEnumerable<Type> BoxedTypesOf(MethodBase method) =>
        Operands<Type>(method, OperandType.InlineType, (module, token, typeArgs, methodArgs) => module.ResolveType(token, typeArgs, methodArgs),
            OpCodes.Box);

    static IEnumerable<T> Operands<T>(MethodBase method, OperandType operand, Func<Module, int, Type[]?, Type[]?, T> resolve, OpCode? only = null)
        where T : class
    {
        byte[]? il;
        try { il = method.GetMethodBody()?.GetILAsByteArray(); }
        catch (Exception e) when (e is InvalidOperationException or BadImageFormatException or NotSupportedException) { il = null; }
        if (il is null) yield break;
        var typeArgs = method.DeclaringType is { IsGenericType: true } t ? t.GetGenericArguments() : null;
        var methodArgs = method is MethodInfo { IsGenericMethod: true } mi ? mi.GetGenericArguments() : null;
        int pos = 0;
        while (pos < il.Length)
        {
            short value = il[pos] == 0xFE && pos + 1 < il.Length ? (short)(0xFE00 | il[pos + 1]) : il[pos];
            if (!Codes.TryGetValue(value, out var code)) yield break;   // not IL we understand: stop rather than misread
            pos += code.Size;
            if (code.OperandType == operand && (only is null || code == only.Value))
            {
                int token = BitConverter.ToInt32(il, pos);
                T? resolved = null;
                try { resolved = resolve(method.Module, token, typeArgs, methodArgs); }
                catch (Exception e) when (e is ArgumentException or BadImageFormatException or TypeLoadException or MissingMethodException) { }
                if (resolved is not null) yield return resolved;
            }
            pos += OperandSize(code, il, pos);
        }
    }

    private static int OperandSize(OpCode code, byte[] il, int pos) => code.OperandType switch
    {
        OperandType.InlineNone => 0,
        OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
        OperandType.InlineVar => 2,
        OperandType.InlineI8 or OperandType.InlineR => 8,
        OperandType.InlineSwitch => 4 + 4 * BitConverter.ToInt32(il, pos),
        _ => 4,
    };
}
