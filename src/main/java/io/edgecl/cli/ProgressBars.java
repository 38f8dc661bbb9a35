package io.edgecl.cli;

import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** The progress bar of commands that go through many images: on standard error, images per second. */
final class ProgressBars {
    private ProgressBars() {}

    static ProgressBar bar(String task, long images) {
        return new ProgressBarBuilder()
                .setTaskName(task)
                .setInitialMax(images)
                .setStyle(ProgressBarStyle.ASCII)
                .setConsumer(new ConsoleProgressBarConsumer(System.err))
                .showSpeed()
                .setUnit(" img", 1)
                .build();
    }
}
