namespace Billing.Application.Tests.StripeEvents.Simulation;

/// <summary>A crash the simulation injected at a port call (the worker "died" there).</summary>
internal sealed class InjectedCrashException(string operation) : Exception($"Injected crash at {operation}.");
