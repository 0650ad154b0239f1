#!/usr/bin/env python3
# Generates mappings/gcp/*.generated.yaml (and data/gcp-api-write-methods.tsv, data/google-import-ids.tsv)
# from snapshots of googleapis/googleapis (service definitions) and hashicorp/terraform-provider-google (docs).
# Usage, from exporter/: GOOGLEAPIS=<clone> GOOGLE_PROVIDER=<clone> python3 scripts/mapping-generators/gcp-breadth.py
# (the data files were written by an earlier step of this tool; this file records how the tables were derived).

# --- 1. RPCs of googleapis (run inside $GOOGLEAPIS; protos listed in /tmp/h19/g/protos.txt) ---
# import subprocess, re, sys, json
# files=[l.strip() for l in open('/tmp/h19/g/protos.txt') if l.strip()]
# p=subprocess.Popen(['git','cat-file','--batch'],stdin=subprocess.PIPE,stdout=subprocess.PIPE)
# out=[]
# for f in files:
#     p.stdin.write(f'HEAD:{f}\n'.encode()); p.stdin.flush()
#     hdr=p.stdout.readline().split()
#     if len(hdr)<3: continue
#     data=p.stdout.read(int(hdr[2])); p.stdout.read(1)
#     t=data.decode('utf8','replace')
#     pkg=re.search(r'^package\s+([\w.]+);',t,re.M)
#     if not pkg: continue
#     for sm in re.finditer(r'^service\s+(\w+)\s*\{(.*?)^\}',t,re.M|re.S):
#         body=sm.group(2)
#         host=re.search(r'option\s+\(google\.api\.default_host\)\s*=\s*"([^"]+)"',body)
#         if not host: continue
#         for rm in re.finditer(r'rpc\s+(\w+)\s*\([^)]*\)\s*returns\s*\([^)]*\)\s*\{(.*?)\n  \}',body,re.S):
#             http=re.search(r'\b(post|delete|patch|put|get)\s*:\s*"([^"]+)"',rm.group(2))
#             if not http: continue
#             out.append([pkg.group(1),sm.group(1),host.group(1),rm.group(1),http.group(1),http.group(2),f])
# json.dump(out,open('/tmp/h19/g/rpcs.json','w'))
# print(len(out))

# --- 2. match RPC resource patterns to the provider import formats ---
import json, re, sys, os, glob, yaml
rpcs=json.load(open('/tmp/h19/g/rpcs.json'))
imports={}
for l in open('/tmp/h19/g/imports.tsv'):
    t,f=l.rstrip('\n').split('\t'); imports[t]=f
VER=re.compile(r'^v\d+(p\d+)?(alpha|beta)?\d*$')
def key(m): return '.'.join(x for x in m.split('.') if not VER.match(x))
existing=set()
for f in glob.glob('mappings/gcp/*.yaml'):
    if f.endswith('.generated.yaml'): continue
    d=yaml.safe_load(open(f))
    for m in list((d.get('events') or {}).keys())+list((d.get('unmapped') or {}).keys()): existing.add((d['event_source'],key(m)))
def pattern_of(verb,path):
    path=re.sub(r'^/v\d\w*/','',path)
    if ':' in path.split('}')[-1]: return None  # custom method
    m=re.match(r'^\{([\w.]+)=([^}]+)\}(.*)$',path)
    if not m: return None
    field,inner,rest=m.groups()
    if field=='parent':
        if not re.match(r'^/\w+$',rest): return None
        return inner+rest+'/*'
    if field.endswith('name') and rest=='': return inner
    return None
tfpat={}
for t,f in imports.items():
    if not f.startswith('projects/') : continue
    tfpat.setdefault(re.sub(r'\{\{\w+\}\}','*',f),[]).append(t)
def norm(s): return re.sub(r'[^a-z0-9]','',s.lower())
def stable_rank(pkg):
    v=[x for x in pkg.split('.') if VER.match(x)]
    v=v[-1] if v else 'v0'
    return (0 if not re.search('alpha|beta',v) else 1, -int(re.match(r'v(\d+)',v).group(1)))
best={}
for pkg,svc,host,rpc,verb,path,f in rpcs:
    kind=None
    for pre,k in (('Create','create'),('Delete','delete'),('Update','modify'),('Patch','modify')):
        if rpc.startswith(pre) and rpc[len(pre):len(pre)+1].isupper(): kind=k
    if not kind: continue
    pat=pattern_of(verb,path)
    if not pat or pat not in tfpat: continue
    api=host.split('.')[0]
    apinames={norm(api), norm(pkg.split('.')[2] if pkg.startswith('google.cloud.') else pkg.split('.')[1])}
    noun=norm(re.sub(r'^(Create|Delete|Update|Patch)','',rpc))
    types=[t for t in tfpat[pat] if any(norm(t[len('google_'):]).startswith(a) for a in apinames) and norm(t).endswith(noun)]
    if not types: continue
    method=f'{pkg}.{svc}.{rpc}'
    k=(host,key(method))
    if k in existing: continue
    cand=(stable_rank(pkg),method,kind,types,f,path)
    if k not in best or cand[0]<best[k][0]: best[k]=cand
rows={}
for (host,k),(rank,method,kind,types,f,path) in best.items():
    rows.setdefault(host,{})[method]=dict(kind=kind,types=sorted(set(types)),proto=f,http=path)
n=sum(len(v) for v in rows.values()); ts={t for v in rows.values() for r in v.values() for t in r['types']}
print(n,len(ts),len(rows))
json.dump(rows,open('/tmp/h19/g/rows.json','w'),indent=1)

# --- 3. write the tables ---
rows=json.load(open('/tmp/h19/g/rows.json'))
for f in glob.glob('mappings/gcp/*.generated.yaml'): os.remove(f)
existing_services={}
for f in glob.glob('mappings/gcp/*.yaml'):
    d=yaml.safe_load(open(f)); existing_services[d['event_source']]=d['service']
for host,methods in sorted(rows.items()):
    svc=existing_services.get(host)
    name=(svc+'-generated') if svc else host.split('.')[0]
    events={}
    for m,r in sorted(methods.items()):
        ids=['extra.path']
        if r['kind']=='create':
            coll=re.sub(r'^.*\}/','',r['http'])
            noun=re.sub(r'^Create','',m.split('.')[-1])
            ids=[f"{{request.parent}}/{coll}/{{request.{noun[0].lower()+noun[1:]}Id}}",'extra.child_path','extra.path']
        ev={'kind':r['kind'],'id':ids}
        if len(r['types'])==1: ev['resource_type']=r['types'][0]
        else: ev['targets']=[{'type':t} for t in r['types']]
        ev['note']=f"generated: {r['proto']} ({r['http']})"
        events[m]=ev
    doc={'service':name,'event_source':host,'events':events}
    hdr=("# Generated from googleapis service definitions (rpc, google.api.http resource pattern, default_host)\n"
         "# matched to the google provider's documented import formats (data/google-import-ids.tsv): the rpc's\n"
         "# resource pattern is the type's import ID, so the audit log's resourceName is the ID state stores.\n"
         "# Do not edit; hand-written rows in the service's own table win. Tool: scripts/mapping-generators/gcp-breadth.py.\n")
    open(f"mappings/gcp/{host.split('.')[0]}.generated.yaml",'w').write(hdr+yaml.safe_dump(doc,sort_keys=False,width=1000))
