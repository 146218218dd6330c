using System.Reflection;
using TorchSharp;

namespace MimScale.Tests.Models.Runtime;

/// <summary>What <see cref="ScalarLifetimeAudit.Run"/> found.</summary>
public sealed record ScalarAuditReport(int HazardousTorchMethods, IReadOnlyList<string> Violations);

/// <summary>
/// Finds every place where MimScale code hands TorchSharp a <see cref="Scalar"/> that nothing keeps alive.
/// TorchSharp 0.107's Scalar frees its native object in a finalizer and reads <c>Handle</c> before the P/Invoke without
/// <c>GC.KeepAlive</c>, so a temporary Scalar can be finalized while native code still reads it (the crash of the
/// study's parallel jobs). A temporary arises (a) when our code converts a number implicitly
/// (<c>Scalar.op_Implicit</c>, e.g. <c>x * 0.5</c>) or calls <c>ToScalar()</c> without disposing the result, and (b) inside
/// TorchSharp methods that build one themselves (e.g. <c>Tensor.add(Tensor)</c> passes alpha = 1), directly or through
/// other such methods. (b) is computed from TorchSharp's own IL, so a new TorchSharp version is re-audited by the test.
/// Allowed: scalars built in a static constructor (long-lived constants) and methods that dispose at least as many
/// objects as the Scalars they build (<c>using var s = v.ToScalar()</c> keeps s alive to the end of the scope; the IL
/// is not traced further, so a method that builds one Scalar inline and disposes something else passes: keep
/// ScalarSafe's one-line shape). Also allowed: TorchScript's <c>CompilationUnit.invoke</c> from a method that boxes no
/// value type: invoke turns only boxed float, double and long arguments into temporary Scalars, so tensors-only calls
/// (the fused AdamW kernel) pass none.
/// </summary>
public static class ScalarLifetimeAudit
{
    public static ScalarAuditReport Run()
    {
        var torch = typeof(Scalar).Assembly;
        var hazardous = HazardousTorchMethods(torch);
        var violations = new List<string>();
        foreach (var assembly in OurAssemblies())
            foreach (var method in IlCallScanner.MethodsOf(assembly))
            {
                if (method is ConstructorInfo && method.IsStatic) continue;   // static readonly Scalar constants
                var callees = IlCallScanner.CalleesOf(method).ToList();
                // `using var s = v.ToScalar()` ends in a Dispose call on s: count them against the Scalars made.
                bool disposes = callees.Count(IsDispose) >= callees.Count(IsScalarFactory);
                bool boxesNothing = !IlCallScanner.BoxedTypesOf(method).Any();
                foreach (var callee in callees)
                {
                    if (IsScalarFactory(callee) && !disposes)
                        violations.Add($"{Describe(method)} makes a temporary Scalar ({callee.Name})");
                    else if (IsScriptInvoke(callee) && boxesNothing) { }   // tensors only: no Scalar is built
                    else if (hazardous.Contains(Key(callee)))
                        violations.Add($"{Describe(method)} calls {Describe(callee)}, which passes a temporary Scalar to native code");
                    // A TorchSharp module we build runs its own forward, which the call graph reaches only virtually.
                    if (TorchModuleBuilt(callee, torch) is Type module)
                        foreach (var forward in ForwardsOf(module).Where(f => hazardous.Contains(Key(f))))
                            violations.Add($"{Describe(method)} builds {module.Name}, whose {Describe(forward)} passes a temporary Scalar to native code");
                }
            }
        return new ScalarAuditReport(hazardous.Count, violations.Distinct().OrderBy(v => v, StringComparer.Ordinal).ToList());
    }

    /// <summary>TorchSharp methods that build a Scalar they do not dispose, and every TorchSharp method that calls one.</summary>
    public static HashSet<string> HazardousTorchMethods(Assembly torch)
    {
        var callers = new Dictionary<string, List<string>>();
        var hazardous = new HashSet<string>();
        var queue = new Queue<string>();
        foreach (var method in IlCallScanner.MethodsOf(torch))
        {
            if (method.DeclaringType == typeof(Scalar) || method.DeclaringType?.Name == "ScalarExtensionMethods") continue;
            var callees = IlCallScanner.CalleesOf(method).ToList();
            string key = Key(method);
            if (callees.Any(IsScalarFactory) && !callees.Any(IsScalarDispose) && hazardous.Add(key)) queue.Enqueue(key);
            foreach (var c in callees)
            {
                string ck = Key(c);
                if (!callers.TryGetValue(ck, out var list)) callers[ck] = list = new List<string>();
                list.Add(key);
            }
        }
        while (queue.Count > 0)
        {
            var m = queue.Dequeue();
            if (callers.TryGetValue(m, out var list))
                foreach (var caller in list)
                    if (hazardous.Add(caller)) queue.Enqueue(caller);
        }
        return hazardous;
    }

    private static Type? TorchModuleBuilt(MethodBase callee, Assembly torch)
    {
        var type = callee switch
        {
            ConstructorInfo c => c.DeclaringType,
            MethodInfo m => m.ReturnType,
            _ => null,
        };
        return type is not null && type.Assembly == torch && typeof(TorchSharp.torch.nn.Module).IsAssignableFrom(type) ? type : null;
    }

    private static IEnumerable<MethodInfo> ForwardsOf(Type module)
    {
        for (var t = module; t is not null && t.Assembly == module.Assembly && !t.IsAbstract; t = t.BaseType)
            foreach (var m in t.GetMethods(IlCallScanner.Everything).Where(m => m.Name == "forward"))
                yield return m;
    }

    private static IEnumerable<Assembly> OurAssemblies() =>
        new[] { "MimScale.Models", "MimScale.Data", "MimScale.Training", "MimScale.Dense", "MimScale.Study", "MimScale.Analysis", "mimscale", "MimScale.Bench" }
            .Select(name => { try { return Assembly.Load(name); } catch (FileNotFoundException) { return null; } })
            .Where(a => a is not null)!;

    private static bool IsScalarFactory(MethodBase m) =>
        (m.DeclaringType == typeof(Scalar) && m.Name == "op_Implicit") ||
        (m.DeclaringType?.Name == "ScalarExtensionMethods" && m.Name == "ToScalar");

    /// <summary>TorchScript's <c>CompilationUnit.invoke(string, params object[])</c>.</summary>
    public static bool IsScriptInvoke(MethodBase m) => m.DeclaringType?.Name == "CompilationUnit" && m.Name == "invoke";

    private static bool IsScalarDispose(MethodBase m) => m.DeclaringType == typeof(Scalar) && m.Name == "Dispose";

    private static bool IsDispose(MethodBase m) => IsScalarDispose(m) || (m.DeclaringType == typeof(IDisposable) && m.Name == "Dispose");

    private static string Key(MethodBase m)
    {
        var def = m is MethodInfo { IsGenericMethod: true } gm ? gm.GetGenericMethodDefinition() : m;
        return $"{def.DeclaringType?.FullName}::{def}";
    }

    private static string Describe(MethodBase m) => $"{m.DeclaringType?.FullName}.{m.Name}({string.Join(", ", m.GetParameters().Select(p => p.ParameterType.Name))})";
}
