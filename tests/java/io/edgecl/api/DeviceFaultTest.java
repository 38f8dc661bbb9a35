package io.edgecl.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgecl.DeviceFaultException;
import io.edgecl.TestSupport;
import io.edgecl.cl.ClContext;
import io.edgecl.cl.ClDevice;
import io.edgecl.cl.FaultyBinding;
import io.edgecl.cl.FaultyBinding.Op;
import io.edgecl.models.DemoModel;
import io.edgecl.tensor.HostTensor;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Device faults, injected with real OpenCL error codes (FaultyBinding): a failed forward is a
 * {@link DeviceFaultException} naming what was running and the error; the session then runs the
 * next forward right, or, when the device is lost, says so on every later call. Nothing leaks.
 */
class DeviceFaultTest {
    private static final int OUT_OF_RESOURCES = -5, ALLOCATION_FAILURE = -4, BUILD_FAILURE = -11;
    private FaultyBinding faulty;
    private ClContext ctx;
    private final HostTensor in =
            new HostTensor(new int[] {1, 3, 32, 32}, TestSupport.random(new Random(3), 3 * 32 * 32, 1f));

    @BeforeEach
    void open() {
        ClDevice d = TestSupport.context().device();
        faulty = new FaultyBinding(d.binding());
        ctx = FaultyBinding.context(faulty, d);
        ctx.placeholder();
    }

    @AfterEach
    void close() {
        faulty.heal();
        ctx.close();
    }

    private Session session() {
        return Session.open(
                DemoModel.load(), DemoModel.weights(), SessionOptions.defaults().withDevice(Device.wrap(ctx)));
    }

    @Test
    void aFailedLaunchNamesItselfAndTheNextForwardIsRight() {
        try (Session s = session()) {
            float[] want = s.run(in).logits().data();
            faulty.failOnce(Op.ENQUEUE, 5, OUT_OF_RESOURCES);
            DeviceFaultException e = assertThrows(DeviceFaultException.class, () -> s.run(in));
            assertEquals("CL_OUT_OF_RESOURCES", e.codeName());
            assertEquals("clEnqueueNDRangeKernel", e.call());
            assertTrue(e.during().matches("launch 5 of \\d+, \\w+ \\(.+, .+\\)"), e.during());
            assertTrue(e.getMessage().endsWith("failed: CL_OUT_OF_RESOURCES (-5)"), e.getMessage());
            assertFalse(s.failed(), "the queue drained: the session runs on");
            assertArrayEquals(want, s.run(in).logits().data(), "the next forward is right");
        }
    }

    @Test
    void aFailedReadNamesTheOutput() {
        try (Session s = session()) {
            float[] want = s.run(in).logits().data();
            faulty.failOnce(Op.READ, 1, OUT_OF_RESOURCES);
            DeviceFaultException e = assertThrows(DeviceFaultException.class, () -> s.run(in));
            assertEquals("reading logits", e.during());
            assertEquals("clEnqueueReadBuffer", e.call());
            assertArrayEquals(want, s.run(in).logits().data());
        }
    }

    /** A failed build or allocation while a shape's plan is made: typed, nothing held, the next try builds it. */
    @Test
    void aFailedBuildOrAllocationWhilePreparingLeavesNothingAndIsRetried() {
        int before = ctx.liveBuffers();
        float[] want;
        try (Session s = session()) {
            // this context has built nothing yet: its first build fails (from the binary cache, then from source)
            faulty.failFrom(Op.BUILD, 1, BUILD_FAILURE);
            DeviceFaultException e = assertThrows(DeviceFaultException.class, () -> s.run(in));
            assertEquals("preparing the forward", e.during());
            assertEquals("CL_BUILD_PROGRAM_FAILURE", e.codeName());
            assertEquals("clBuildProgram", e.call());
            faulty.heal();
            want = s.run(in).logits().data();
            s.close();
            assertEquals(before, ctx.liveBuffers(), "every buffer released");
        }
        try (Session s = session()) {
            faulty.failOnce(Op.ALLOC, 3, ALLOCATION_FAILURE);
            DeviceFaultException e = assertThrows(DeviceFaultException.class, () -> s.run(in));
            assertEquals("preparing the forward", e.during());
            assertEquals("CL_MEM_OBJECT_ALLOCATION_FAILURE", e.codeName());
            assertEquals(0, s.planCache().plans(), "no half-built plan is kept");
            assertArrayEquals(want, s.run(in).logits().data(), "the next try builds the plan and runs right");
        }
        assertEquals(before, ctx.liveBuffers(), "every buffer released");
    }

    /** A device whose queue cannot even be drained is lost: the session says so on every later call. */
    @Test
    void aLostDeviceIsReportedOnEveryLaterCall() {
        try (Session s = session()) {
            s.run(in);
            faulty.failFrom(Op.ENQUEUE, 1, OUT_OF_RESOURCES).failFrom(Op.FINISH, 1, OUT_OF_RESOURCES);
            assertThrows(DeviceFaultException.class, () -> s.run(in));
            assertTrue(s.failed());
            faulty.heal();
            // the device was not really lost: let the real queue finish what it holds (the input
            // write) before the session's buffers and staging memory go
            ctx.finish();
            DeviceFaultException e = assertThrows(DeviceFaultException.class, () -> s.run(in));
            assertTrue(
                    e.getMessage().startsWith("this session's device failed earlier; open a new session: launch 1 of"),
                    e.getMessage());
            assertEquals("CL_OUT_OF_RESOURCES", e.codeName());
        }
        try (Session fresh = session()) {
            assertEquals(10, fresh.run(in).logits().data().length, "a new session on the device runs");
        }
    }
}
