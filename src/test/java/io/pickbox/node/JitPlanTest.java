package io.pickbox.node;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import javax.management.ObjectName;

import static org.assertj.core.api.Assertions.assertThat;

class JitPlanTest {

    private static String diagnostic(String command) throws Exception {
        return String.valueOf(ManagementFactory.getPlatformMBeanServer().invoke(
                new ObjectName("com.sun.management:type=DiagnosticCommand"), command,
                new Object[] {new String[0]}, new String[] {String[].class.getName()}));
    }

    @AfterEach
    void leaveTheJvmAsItWas() throws Exception {
        System.clearProperty("pickbox.jit");
        diagnostic("compilerDirectivesClear");
    }

    @Test
    void c2IsKeptForSha256AndExcludedElsewhere() throws Exception {
        JitPlan.apply();
        String directives = diagnostic("compilerDirectivesPrint");
        assertThat(directives).contains("matching: sun/security/provider/DigestBase.*, sun/security/provider/SHA2.*")
                .contains("matching: *.*");
        int sha = directives.indexOf("SHA2.*"), everything = directives.indexOf("matching: *.*");
        assertThat(sha).as("the SHA-256 rule comes first: the first matching directive wins").isLessThan(everything);
        assertThat(directives.substring(everything)).contains("c2 directives:").containsPattern("c2 directives:\\s+inline: -\\s+Enable:true Exclude:true");
    }

    @Test
    void theJvmDefaultsStayWhenAskedTo() throws Exception {
        System.setProperty("pickbox.jit", "default");
        JitPlan.apply();
        assertThat(diagnostic("compilerDirectivesPrint")).doesNotContain("SHA2");
    }
}
