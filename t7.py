import numpy as np, bprop
X, y = bprop.data.load_digits()
th = bprop.initialize([64, 25, 10], seed=0)
class MyGD(bprop.optim.Optimizer):
    def step(self, thetas, grads): return [t - self.learning_rate*g for t, g in zip(thetas, grads)]
t1,h1 = bprop.train(th, X, y, optimizer=MyGD(0.5), batch_size=64, epochs=3, verbose=False, seed=0)
t2,h2 = bprop.train(th, X, y, optimizer="gd", learning_rate=0.5, batch_size=64, epochs=3, verbose=False, seed=0)
print("custom gd == gd", all(np.array_equal(a,b) for a,b in zip(t1,t2)), max(np.abs(a-b).max() for a,b in zip(t1,t2)))
t3,h3 = bprop.train(th, X, y, optimizer=bprop.optim.GradientDescent(0.5), batch_size=64, epochs=3, verbose=False, seed=0)
print("GradientDescent instance == 'gd'", all(np.array_equal(a,b) for a,b in zip(t3,t2)))
class InPlace(bprop.optim.Optimizer):
    def step(self, thetas, grads):
        for t,g in zip(thetas,grads): t -= 0.5*g
        return thetas
th_copy=[t.copy() for t in th]
t4,h4 = bprop.train(th, X, y, optimizer=InPlace(), batch_size=64, epochs=3, verbose=False, seed=0)
print("inplace: input unchanged", all(np.array_equal(a,b) for a,b in zip(th,th_copy)), "== gd", all(np.array_equal(a,b) for a,b in zip(t4,t2)))
class NoStep(bprop.optim.Optimizer): pass
try: bprop.train(th, X, y, optimizer=NoStep(), batch_size=64, epochs=1, verbose=False)
except Exception as e: print("NoStep", type(e).__name__, repr(e))
class BadRet(bprop.optim.Optimizer):
    def step(self, thetas, grads): return None
try: bprop.train(th, X, y, optimizer=BadRet(), batch_size=64, epochs=1, verbose=False)
except Exception as e: print("BadRet", type(e).__name__, e)
class WrongShape(bprop.optim.Optimizer):
    def step(self, thetas, grads): return [t[:, 1:] for t in thetas]
try: bprop.train(th, X, y, optimizer=WrongShape(), batch_size=64, epochs=1, verbose=False); print("WrongShape no error")
except Exception as e: print("WrongShape", type(e).__name__, e)
class F32(bprop.optim.Optimizer):
    def step(self, thetas, grads): return [(t - 0.5*g).astype(np.float32) for t,g in zip(thetas,grads)]
try: r,_=bprop.train(th, X, y, optimizer=F32(), batch_size=64, epochs=1, verbose=False); print("F32 no error", [a.dtype for a in r])
except Exception as e: print("F32", type(e).__name__, e)
class NoInit(bprop.optim.Optimizer):
    def __init__(self): pass
    def step(self, thetas, grads): return [t - 0.5*g for t, g in zip(thetas, grads)]
try: r,_=bprop.train(th, X, y, optimizer=NoInit(), batch_size=64, epochs=1, verbose=False); print("NoInit OK")
except Exception as e: print("NoInit", type(e).__name__, e)
try: r,_=bprop.train(th, X, y, optimizer=MyGD(0.5), learning_rate=0.1, batch_size=64, epochs=1, verbose=False); print("custom + learning_rate= accepted silently?")
except Exception as e: print("custom+lr", type(e).__name__, e)
try: r,_=bprop.train(th, X, y, optimizer=MyGD, batch_size=64, epochs=1, verbose=False); print("class not instance accepted")
except Exception as e: print("class not instance", type(e).__name__, e)
try: r,_=bprop.train(th, X, y, optimizer=MyGD(0.5), iterations=10, verbose=False); print("custom full batch iterations OK", _.iterations)
except Exception as e: print("custom full", type(e).__name__, e)
class Div(bprop.optim.Optimizer):
    def step(self, thetas, grads): return [t - 1e6*g for t, g in zip(thetas, grads)]
try: bprop.train(th, X, y, optimizer=Div(), batch_size=64, epochs=3, verbose=False, seed=0)
except Exception as e: print("Div", type(e).__name__, e)
