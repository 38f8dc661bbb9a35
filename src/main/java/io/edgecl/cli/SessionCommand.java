package io.edgecl.cli;

import io.edgecl.api.SessionOptions;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Mixin;

/** What every command that runs a model shares: the model and weights options, the device options. */
abstract class SessionCommand implements Callable<Integer> {
    @Mixin
    ModelOptions modelOptions;

    @Mixin
    DeviceOptions deviceOptions;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** The session options the device and fusion flags ask for. */
    SessionOptions sessionOptions() {
        return deviceOptions.options(modelOptions.disabledRules());
    }
}
