// The audit's rate limit: workers sleep until the bytes read so far are due at the rate, on a
// clock the test holds; rates are read as Kho prints sizes.
import KhoPlatform
import Synchronization
import Testing

@Suite struct ThrottleTests {
    @Test func readersWaitUntilTheirBytesAreDue() {
        let clock = Mutex<Double>(100)
        let sleeps = Mutex<[Double]>([])
        let throttle = Throttle(bytesPerSecond: 1000, uptime: { clock.withLock { $0 } },
                                sleep: { seconds in sleeps.withLock { $0.append(seconds) }; clock.withLock { $0 += seconds } })
        throttle.pace(500)
        throttle.pace(500)
        // Half a second of bytes each: the first waits 0.5 s, the second until 1 s after the start.
        #expect(sleeps.withLock { $0 } == [0.5, 0.5])
        // Time that passed reading counts: bytes already due wait for nothing.
        clock.withLock { $0 += 3 }
        throttle.pace(2000)
        #expect(sleeps.withLock { $0.count } == 2)
        throttle.pace(1500)
        #expect(sleeps.withLock { $0.last } == 0.5)
        // A long idle stretch saves up at most a second: no burst after it.
        clock.withLock { $0 += 10 }
        throttle.pace(1000)
        #expect(sleeps.withLock { $0.count } == 3)
        throttle.pace(2000)
        #expect(sleeps.withLock { $0.last } == 1.0)
    }

    @Test func ratesAreReadAsKhoPrintsSizes() {
        #expect(Throttle.parseRate("50MB/s") == 50_000_000)
        #expect(Throttle.parseRate("50mb") == 50_000_000)
        #expect(Throttle.parseRate("1.5G") == 1_500_000_000)
        #expect(Throttle.parseRate("800KB/s") == 800_000)
        #expect(Throttle.parseRate("4096") == 4096)
        for bad in ["", "fast", "MB/s", "-5MB/s", "0", "5TB/s", "1e9", "nan"] { #expect(Throttle.parseRate(bad) == nil, "\(bad)") }
    }
}
