package io.edgecl.profile;

import io.edgecl.ops.Launch;

/** One launch of a forward pass with its device time (median over the profiled iterations). */
public record LaunchTiming(int index, Launch launch, long startNs, long durationNs) {}
