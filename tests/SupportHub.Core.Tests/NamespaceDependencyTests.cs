using System.Reflection;
using System.Reflection.Emit;
using SupportHub.Billing;
using SupportHub.Policy;
using SupportHub.Sla;
using SupportHub.Tickets;

namespace SupportHub.Core.Tests;

/// <summary>
/// Core's dependencies point one way: Tickets composes the capabilities (it owns the ticket's state,
/// events, commands and the decider that drives them), and no capability knows a ticket. A capability
/// that used a Tickets type would tie the two into one knot, where nothing in either can change or
/// be read alone. The check reads compiled Core, so it sees what the code uses, not what it says:
/// member signatures, base types, attributes, local variables and every type, method and field a
/// method body names, in each capability type and in the lambdas and iterators nested in it.
/// </summary>
public class NamespaceDependencyTests
{
    /// <summary>The namespaces Tickets composes (their sub-namespaces too).</summary>
    private static readonly string[] Capabilities =
    [
        "SupportHub.Billing", "SupportHub.Calendars", "SupportHub.Escalation", "SupportHub.Lifecycle",
        "SupportHub.Notifications", "SupportHub.OnCall", "SupportHub.Policy", "SupportHub.Sla",
    ];

    private const BindingFlags Declared =
        BindingFlags.DeclaredOnly | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static;

    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value);

    [Fact]
    public void Capabilities_UseNoTicketsType()
    {
        var uses = typeof(TicketWorkflow).Assembly.GetTypes()
            .Where(t => Capabilities.Any(c => InNamespace(t, c)))
            .SelectMany(t => TypesUsedBy(t).Where(u => InNamespace(u, "SupportHub.Tickets")).Select(u => $"{t.FullName} uses {u.FullName}"))
            .Distinct()
            .Order(StringComparer.Ordinal)
            .ToList();

        Assert.True(uses.Count == 0, "A capability uses Tickets:\n" + string.Join("\n", uses));
    }

    [Fact]
    public void TypesUsedBy_SeesSignaturesAndMethodBodies()
    {
        // The check above can only fail if this reader sees uses: TicketContext names SupportPolicy in
        // its signatures, and TicketSla and AfterHoursWork only inside Classify's body.
        var used = TypesUsedBy(typeof(TicketContext));

        Assert.Contains(typeof(SupportPolicy), used);
        Assert.Contains(typeof(TicketSla), used);
        Assert.Contains(typeof(AfterHoursWork), used);
    }

    private static bool InNamespace(Type type, string ns) =>
        type.Namespace is { } name && (name == ns || name.StartsWith(ns + ".", StringComparison.Ordinal));

    private static HashSet<Type> TypesUsedBy(Type type)
    {
        var used = new HashSet<Type>();

        void Add(Type? t)
        {
            if (t is null || t.IsGenericParameter)
            {
                return;
            }
            if (t.HasElementType)
            {
                Add(t.GetElementType());
                return;
            }
            if (t.IsConstructedGenericType)
            {
                Add(t.GetGenericTypeDefinition());
                foreach (var argument in t.GetGenericArguments())
                {
                    Add(argument);
                }
                return;
            }
            used.Add(t);
        }

        void AddAttributes(IEnumerable<CustomAttributeData> attributes)
        {
            foreach (var attribute in attributes)
            {
                Add(attribute.AttributeType);
                foreach (var argument in attribute.ConstructorArguments.Concat(attribute.NamedArguments.Select(n => n.TypedValue)))
                {
                    Add(argument.Value as Type);
                }
            }
        }

        void AddMember(MemberInfo member)
        {
            switch (member)
            {
                case Type t:
                    Add(t);
                    break;
                case FieldInfo field:
                    Add(field.DeclaringType);
                    Add(field.FieldType);
                    break;
                case MethodBase method:
                    Add(method.DeclaringType);
                    if (method is MethodInfo info)
                    {
                        Add(info.ReturnType);
                    }
                    if (method.IsGenericMethod)
                    {
                        foreach (var argument in method.GetGenericArguments())
                        {
                            Add(argument);
                        }
                    }
                    foreach (var parameter in method.GetParameters())
                    {
                        Add(parameter.ParameterType);
                    }
                    break;
            }
        }

        Add(type.BaseType);
        foreach (var implemented in type.GetInterfaces())
        {
            Add(implemented);
        }
        AddAttributes(type.CustomAttributes);
        foreach (var field in type.GetFields(Declared))
        {
            Add(field.FieldType);
            AddAttributes(field.CustomAttributes);
        }
        foreach (var property in type.GetProperties(Declared))
        {
            Add(property.PropertyType);
            AddAttributes(property.CustomAttributes);
        }
        foreach (var e in type.GetEvents(Declared))
        {
            Add(e.EventHandlerType);
        }
        var methods = type.GetMethods(Declared).Cast<MethodBase>().Concat(type.GetConstructors(Declared));
        if (type.TypeInitializer is { } initializer)
        {
            methods = methods.Append(initializer);
        }
        foreach (var method in methods.Distinct())
        {
            AddMember(method);
            AddAttributes(method.CustomAttributes);
            foreach (var parameter in method.GetParameters())
            {
                AddAttributes(parameter.CustomAttributes);
            }
            if (method.GetMethodBody() is not { } body)
            {
                continue;
            }
            foreach (var local in body.LocalVariables)
            {
                Add(local.LocalType);
            }
            var typeArguments = type.IsGenericType ? type.GetGenericArguments() : null;
            var methodArguments = method.IsGenericMethod ? method.GetGenericArguments() : null;
            foreach (var token in MemberTokens(body.GetILAsByteArray() ?? []))
            {
                AddMember(type.Module.ResolveMember(token, typeArguments, methodArguments)!);
            }
        }
        return used;
    }

    /// <summary>The metadata tokens of the types, methods and fields an IL body names.</summary>
    private static IEnumerable<int> MemberTokens(byte[] il)
    {
        for (var i = 0; i < il.Length;)
        {
            var value = (short)il[i++];
            if (value == 0xFE)
            {
                value = (short)(0xFE00 | il[i++]);
            }
            var opCode = OpCodesByValue[value];
            switch (opCode.OperandType)
            {
                case OperandType.InlineField or OperandType.InlineMethod or OperandType.InlineTok or OperandType.InlineType:
                    yield return BitConverter.ToInt32(il, i);
                    i += 4;
                    break;
                case OperandType.InlineSwitch:
                    i += 4 + (4 * BitConverter.ToInt32(il, i));
                    break;
                case OperandType.InlineNone:
                    break;
                case OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar:
                    i += 1;
                    break;
                case OperandType.InlineVar:
                    i += 2;
                    break;
                case OperandType.InlineI8 or OperandType.InlineR:
                    i += 8;
                    break;
                default:
                    i += 4;
                    break;
            }
        }
    }
}
