// The reference for tests/x500_java.rs: what Java (the JDK's CertificateFactory and X500Principal, as
// Alipay's Java SDK uses them) makes of each DER certificate file named on the command line.
//
//   java tests/java/X500Names.java a.der b.der ...
//
// First a line `JAVA <java.specification.version> <java.runtime.version>`, then one tab-separated line per
// file, in argument order:
//   OK <file> <hex of UTF-8 issuer getName()> <hex of UTF-8 subject getName()> <decimal serial> <Alipay SN>
//   ERR <file> <exception>
// where the Alipay SN is lower_hex(md5((issuer getName() + serial).getBytes(UTF_8))).
import java.io.FileInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.HexFormat;

public class X500Names {
    public static void main(String[] args) throws Exception {
        CertificateFactory factory = CertificateFactory.getInstance("X.509");
        HexFormat hex = HexFormat.of();
        StringBuilder out = new StringBuilder();
        out.append("JAVA\t").append(System.getProperty("java.specification.version"))
                .append('\t').append(System.getProperty("java.runtime.version")).append('\n');
        for (String file : args) {
            try (InputStream in = new FileInputStream(file)) {
                X509Certificate cert = (X509Certificate) factory.generateCertificate(in);
                String issuer = cert.getIssuerX500Principal().getName();
                String subject = cert.getSubjectX500Principal().getName();
                String serial = cert.getSerialNumber().toString();
                byte[] md5 = MessageDigest.getInstance("MD5")
                        .digest((issuer + serial).getBytes(StandardCharsets.UTF_8));
                out.append("OK\t").append(file)
                        .append('\t').append(hex.formatHex(issuer.getBytes(StandardCharsets.UTF_8)))
                        .append('\t').append(hex.formatHex(subject.getBytes(StandardCharsets.UTF_8)))
                        .append('\t').append(serial)
                        .append('\t').append(hex.formatHex(md5))
                        .append('\n');
            } catch (Exception e) {
                String message = String.valueOf(e).replace('\t', ' ').replace('\n', ' ').replace('\r', ' ');
                out.append("ERR\t").append(file).append('\t').append(message).append('\n');
            }
        }
        System.out.print(out);
        System.out.flush();
    }
}
