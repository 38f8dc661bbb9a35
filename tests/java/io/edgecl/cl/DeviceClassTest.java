package io.edgecl.cl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.edgecl.cl.DeviceClass.Kind;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Device classes read from the vendor and name strings drivers report. */
class DeviceClassTest {
    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "CPU|AuthenticAMD|pthread-skylake-avx512-AMD EPYC 7B13|cpu/amd/skylake-avx512",
                "CPU|GenuineIntel|cpu-haswell-Intel(R) Core(TM) i7-4770|cpu/intel/haswell",
                "CPU|ARM|pthread-cortex-a76-ARM|cpu/arm/cortex-a76",
                "GPU|ARM|Mali-G78|gpu/arm/valhall/mali-g78",
                "GPU|ARM|Mali-G52 r1|gpu/arm/bifrost/mali-g52",
                "GPU|ARM|Mali-T860|gpu/arm/midgard/mali-t860",
                "GPU|QUALCOMM|QUALCOMM Adreno(TM) 640|gpu/qualcomm/adreno-6xx/adreno-640",
                "GPU|NVIDIA Corporation|NVIDIA GeForce RTX 3080|gpu/nvidia/ampere/NVIDIA GeForce RTX 3080",
                "GPU|NVIDIA Corporation|NVIDIA H100 80GB HBM3|gpu/nvidia/hopper/NVIDIA H100 80GB HBM3",
                "GPU|Advanced Micro Devices, Inc.|gfx1030|gpu/amd/rdna2/gfx1030",
                "GPU|Imagination Technologies|PowerVR Rogue GE8320|gpu/imagination/rogue/PowerVR Rogue GE8320",
                "GPU|Intel(R) Corporation|Intel(R) Arc(TM) A770 Graphics|gpu/intel/xe-hpg/Intel(R) Arc(TM) A770 Graphics",
                "GPU|Apple|Apple M2|gpu/apple/m2/Apple M2",
                "GPU|Acme|Mystery 9000|gpu/other/Mystery 9000"
            })
    void classesFromNames(String kind, String vendor, String name, String expected) {
        assertEquals(expected, DeviceClass.of(Kind.valueOf(kind), vendor, name).toString());
    }
}
